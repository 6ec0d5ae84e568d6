// The documents a student signs before the practice starts: the practice notice (实践活动告知书)
// and the confidentiality commitment (保密承诺书). For each agreed placement the newest
// published version of each (GET /documents) is shown with its text; the student ticks that
// they have read it and signs (POST /placements/{id}/documents with its version and content
// hash). Before signing, the browser hashes the text it showed (WebCrypto SHA-256) and signs
// only if that is the published hash: what was read is what is signed.

import { idempotencyKey, post } from "../api.js";
import { bi, h } from "../dom.js";
import { act } from "../feedback.js";
import { canHash, contentHash } from "../digest.js";

export const DOCUMENT_KINDS = {
  practice_notice: ["实践活动告知书", "Practice notice"],
  confidentiality_commitment: ["保密承诺书", "Confidentiality commitment"],
};

/** The newest published version of each kind. */
function newest(published) {
  const found = new Map();
  for (const document of published) {
    const known = found.get(document.document_kind);
    if (!known || String(document.published_at) > String(known.published_at)) found.set(document.document_kind, document);
  }
  return found;
}

function signForm(placement, document, signed) {
  const [zh, en] = DOCUMENT_KINDS[document.document_kind];
  const id = `sign-${placement.placement_id}-${document.document_kind}`;
  const agree = h("input", { type: "checkbox", required: true, id: `${id}-read` });
  const button = h("button", { type: "submit", class: "small", "data-sign": document.document_kind }, bi("签署", "Sign"));
  const form = h(
    "form",
    { class: "inline", "data-document": document.document_kind },
    agree,
    h("label", { for: agree.id }, bi(`我已阅读并同意《${zh}》`, `I have read and agree to the ${en.toLowerCase()}`)),
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { document_kind: document.document_kind, version: document.version, content_hash: document.content_hash };
    const answer = await act(
      button,
      ["正在签署", "Signing"],
      async () => {
        if (canHash() && (await contentHash(document.text || "")) !== document.content_hash) {
          throw { code: "DOCUMENT_TEXT_ALTERED" }; // never signed: told below, not sent
        }
        return post(`/placements/${placement.placement_id}/documents`, body, { "Idempotency-Key": idempotencyKey() });
      },
      [`《${zh}》已签署。`, `The ${en.toLowerCase()} is signed.`],
    );
    if (answer !== undefined) signed(answer);
  });
  return form;
}

function oneDocument(placement, kind, document, signed) {
  const [zh, en] = DOCUMENT_KINDS[kind];
  // A command's answer carries the gates but not always the signatures' details.
  const signature = (placement.documents || {})[kind];
  const heading = h("h3", {}, bi(zh, en), document ? h("span", { class: "muted" }, ` · ${document.version}`) : null);
  if (signature || (placement.gates || {})[kind]) {
    const when = signature ? ` · ${signature.version} · ${String(signature.signed_at || "").slice(0, 16).replace("T", " ")}` : "";
    return h("div", { "data-signed": kind }, heading, h("p", { class: "gate passed" }, "✔ ", bi("已签署", "Signed"), when));
  }
  if (!document) return h("div", {}, heading, h("p", { class: "muted" }, bi("尚未发布，请等待通知。", "Not published yet; you will be told.")));
  return h(
    "div",
    { "data-unsigned": kind },
    heading,
    h("details", {}, h("summary", {}, bi("阅读全文", "Read the text")), h("p", { class: "document-text" }, document.text || "")),
    signForm(placement, document, signed),
  );
}

/** The documents-to-sign section for a student's placements; ``signed(placement)`` gets a
 * signature's answer. */
export function documentsToSign(placements, published, signed) {
  const agreed = placements.filter((p) => p.status === "agreed");
  if (!agreed.length) return h("p", { class: "muted" }, bi("目前没有待签文件（实践确认后出现）。", "Nothing to sign yet (it comes with an agreed placement)."));
  const versions = newest(published);
  return agreed.map((placement) =>
    h(
      "div",
      { class: "card", "data-documents": placement.placement_id },
      h("p", {}, bi("实践岗位", "Placement"), `： ${placement.position_title || ""} · ${placement.host_unit_name || ""}`),
      Object.keys(DOCUMENT_KINDS).map((kind) => oneDocument(placement, kind, versions.get(kind), signed)),
    ),
  );
}
