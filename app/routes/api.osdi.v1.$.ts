import { problem } from "~/utils/http.server";

/** Unknown paths under the API answer problem JSON, not the site's HTML 404 page. */
export async function loader() {
  return problem(404, "No such OSDI resource. Start at /api/osdi/v1.");
}

export async function action() {
  return problem(404, "No such OSDI resource. Start at /api/osdi/v1.");
}
