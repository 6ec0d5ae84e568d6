// The auditor's page: the event log's head (position and hash) and its newest signed
// checkpoint, the verification status and an event's inclusion proof, both checked in this
// browser (audit_checks.js), the checkpoints, and a search of the log's entries by event
// type (GET /api/v1/audit/events; personal fields come redacted), each entry with a button
// that checks its inclusion proof.

import { get } from "../api.js";
import { bi, field, fill, h, table } from "../dom.js";
import { go } from "../router.js";
import { inclusionSection, verificationSection } from "./audit_checks.js";

const shortHash = (hash) => h("code", { title: hash }, `${String(hash).slice(0, 16)}…`);

function headSection(head) {
  const checkpoint = head.checkpoint;
  const behind = checkpoint ? head.position - checkpoint.position : null;
  return h(
    "dl",
    { class: "facts" },
    h("dt", {}, bi("日志末位", "Head position")),
    h("dd", { "data-testid": "head-position" }, String(head.position)),
    h("dt", {}, bi("末位哈希", "Head hash")),
    h("dd", { "data-testid": "head-hash" }, shortHash(head.hash)),
    h("dt", {}, bi("最新签名检查点", "Newest signed checkpoint")),
    h("dd", { "data-testid": "checkpoint-position" }, checkpoint ? `${checkpoint.position} · ${checkpoint.signed_at || ""}` : bi("尚无", "none yet")),
    h("dt", {}, bi("签名覆盖", "Covered by a signature")),
    h(
      "dd",
      { "data-testid": "verification" },
      checkpoint === null || checkpoint === undefined
        ? bi("尚无签名检查点。", "No signed checkpoint yet.")
        : behind === 0
          ? bi("全部条目已签名。", "Every entry is under a signed checkpoint.")
          : bi(`最新的 ${behind} 条尚待下一检查点签名。`, `The newest ${behind} entries await the next checkpoint.`),
    ),
  );
}

async function render(main, params, query) {
  const type = query.get("type") || "";
  const [head, checkpoints, events] = await Promise.all([
    get("/audit/head"),
    get("/audit/checkpoints", { limit: 200 }),
    get("/audit/events", { type, limit: 50 }),
  ]);
  const input = h("input", { type: "search", value: type, placeholder: "PlacementCompleted", autocomplete: "off" });
  const search = h(
    "form",
    {
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        go(`/audit${input.value.trim() ? `?type=${encodeURIComponent(input.value.trim())}` : ""}`);
      },
    },
    field("event-type", "事件类型", "Event type", input),
    h("button", { type: "submit" }, bi("查询", "Search")),
  );
  const recent = checkpoints.checkpoints.slice(-10).reverse();
  const verification = await verificationSection(checkpoints.checkpoints[0], head.checkpoint);
  const inclusion = inclusionSection(head.checkpoint);
  fill(
    main,
    h("h1", {}, bi("审计", "Audit")),
    h("h2", {}, bi("日志状态", "The log")),
    headSection(head),
    h("h2", {}, bi("核验状态", "Verification")),
    verification,
    h("h2", {}, bi("包含证明", "Inclusion proof")),
    h("p", { class: "muted" }, bi("输入事件编号（或在下方事件表中点“核验”），本浏览器按 RFC 9162 核验其审计路径。", "Give an event id (or press “Check” in the events below): this browser checks its RFC 9162 audit path.")),
    inclusion.section,
    h("h2", {}, bi("签名检查点", "Checkpoints")),
    recent.length
      ? table(
          [
            { zh: "位置", en: "Position", cell: (c) => String(c.position) },
            { zh: "签名时间", en: "Signed at", cell: (c) => c.signed_at },
            { zh: "默克尔根", en: "Merkle root", cell: (c) => shortHash(c.merkle_root) },
            { zh: "密钥", en: "Key", cell: (c) => c.key_id },
          ],
          recent,
        )
      : h("p", { class: "muted" }, bi("尚无检查点。", "No checkpoints yet.")),
    h("h2", {}, bi("事件查询", "Events")),
    search,
    events.events.length
      ? table(
          [
            { zh: "位置", en: "Position", cell: (e) => String(e.position) },
            { zh: "类型", en: "Type", cell: (e) => h("span", { "data-testid": "event-type" }, e.event.event_type) },
            { zh: "流", en: "Stream", cell: (e) => e.event.stream_id },
            { zh: "操作人", en: "Actor", cell: (e) => e.event.actor || "—" },
            { zh: "时间", en: "When", cell: (e) => e.event.occurred_at },
            {
              zh: "证明",
              en: "Proof",
              cell: (e) =>
                h("button", { type: "button", class: "secondary small", "data-prove": e.event.event_id, "aria-label": `核验 Check: ${e.event.event_type} ${e.position}`, onclick: () => inclusion.check(e.event.event_id) }, bi("核验", "Check")),
            },
          ],
          events.events,
        )
      : h("p", { class: "muted" }, bi("没有符合的事件。", "No matching events.")),
  );
}

export default {
  path: "/audit",
  roles: ["auditor"],
  title: ["审计", "Audit"],
  nav: true,
  render,
};
