/**
 * Who is acting: the signed-in user as every use case sees them. Routes take it from the session
 * (whose role is read from the database on every request) and pass it down; the use case decides,
 * with the guards in ./guards.server, what this actor may do.
 */
export interface Actor {
  id: number;
  email: string;
  role: "user" | "admin";
}
