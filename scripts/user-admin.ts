import { sql } from "kysely";
import { createDb } from "~/db/db.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { env } from "~/utils/env.server";

/** `npm run user:admin -- <email>`: gives an existing account the admin role. */
const email = process.argv[2];
if (!email || !email.includes("@")) {
  console.error("Usage: npm run user:admin -- <email of an existing account>");
  process.exit(64);
}
const db = createDb({ connectionString: env().DATABASE_URL, max: 1, applicationName: "banner-admin" });
try {
  const updated = await db
    .updateTable("users")
    .set({ role: "admin", updated_at: sql`now()` })
    .where("email_normalized", "=", normaliseEmail(email))
    .returning(["id", "email"])
    .executeTakeFirst();
  if (!updated) {
    console.error(`No account uses ${email}. Sign up first, then run this again.`);
    process.exitCode = 1;
  } else {
    console.log(`${updated.email} is now an admin.`);
  }
} finally {
  await db.destroy();
}
