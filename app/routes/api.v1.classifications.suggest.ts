import { json, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { suggestForText } from "~/domain/suggestions.server";
import { apiError, readJsonObject, requireApiToken, validationError } from "~/web/api.server";
import { getDb } from "~/utils/db.server";

// Long enough for a whole write-up; bounded so one request cannot hold the process for long.
const MAX_TEXT_CHARS = 50_000;

const suggestSchema = z
  .object({
    title: z.string({ message: "title must be a string." }).max(500, "title is at most 500 characters.").default(""),
    text: z.string({ message: "text must be a string." }).max(MAX_TEXT_CHARS, `text is at most ${MAX_TEXT_CHARS} characters.`).default(""),
    limit: z.number({ message: "limit must be a number." }).int("limit must be an integer.").min(1, "limit is 1 to 11.").max(11, "limit is 1 to 11.").default(3),
  })
  .refine((b) => (b.title + b.text).trim().length > 0, { message: "Send a title or a text to classify.", path: ["text"] });

/**
 * POST /api/v1/classifications/suggest with `{"title", "text", "limit"?}`: the failure classes the text most
 * resembles, best first: `{"suggestions": [{"classId", "subclassId", "score", "reasons": {"words", "similarIncidents"}}]}`.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return apiError(405, "Ask for suggestions with POST.", { Allow: "POST" });
  requireApiToken(request, "api");
  const parsed = suggestSchema.safeParse(await readJsonObject(request));
  if (!parsed.success) return validationError(parsed.error);
  const { title, text, limit } = parsed.data;
  return json({ suggestions: await suggestForText(getDb(), `${title}\n${text}`, limit) });
}

export function loader() {
  return apiError(405, "Ask for suggestions with POST.", { Allow: "POST" });
}
