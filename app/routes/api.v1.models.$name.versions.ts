import { json, type ActionFunctionArgs } from "@remix-run/node";
import { modelInputSchema, registerVersion, versionInputSchema } from "~/domain/models.server";
import { tokenActor } from "~/domain/tokens.server";
import { apiError, readJsonObject, requireApiToken, validationError } from "~/web/api.server";
import { getDb } from "~/utils/db.server";

export async function loader() {
  return apiError(405, "Register versions with POST.", { Allow: "POST" });
}

/** Deploy pipelines register a version; idempotent on (model, version): 201 when created, 200 otherwise. */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return apiError(405, "Register versions with POST.", { Allow: "POST" });
  const token = requireApiToken(request, "api");
  const name = modelInputSchema.shape.name.safeParse(params.name);
  if (!name.success) return apiError(400, `Model name: ${name.error.issues[0].message}`);
  const parsed = versionInputSchema.safeParse(await readJsonObject(request));
  if (!parsed.success) return validationError(parsed.error);
  const result = registerVersion(getDb(), name.data, parsed.data, tokenActor(token));
  return json(
    { model: name.data, version: parsed.data.version, id: result.versionId, created: result.created, changed: result.changed },
    { status: result.created ? 201 : 200 },
  );
}
