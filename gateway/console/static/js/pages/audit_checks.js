// The auditor's checks, done in this browser (merkle.js, WebCrypto) rather than taken on the
// server's word: that the log only grew from its first signed checkpoint to its newest
// (GET /audit/proofs/consistency), and that one event is in the log a checkpoint signed
// (GET /audit/proofs/inclusion?event_id=…, against the entry's hash from /audit/events).
// What the server reports is shown beside: it refuses a proof (PROOF_UNAVAILABLE) when the
// stored log no longer matches a checkpoint it signed. The checkpoints' Ed25519 signatures are
// checked offline with the log's public key (gravity audit verify), which the API does not serve.

import { ApiFailure, get } from "../api.js";
import { bi, field, fill, h } from "../dom.js";
import { act } from "../feedback.js";
import { explain } from "../messages.js";
import { canHash } from "../digest.js";
import { checkConsistency, checkInclusion } from "../merkle.js";

const STEPS = {
  leaf: ["叶哈希与条目哈希相符", "The leaf hash is the entry's"],
  path: ["审计路径通向根哈希", "The audit path leads to the root"],
  checkpoint: ["根哈希为签名检查点所签", "The root is the one a checkpoint signed"],
  roots: ["两端根哈希为两个检查点所签", "Both roots are the checkpoints' signed ones"],
};

function verdict(testid, ok, [zh, en]) {
  return h("span", { class: `verdict ${ok ? "pass" : "fail"}`, "data-testid": testid, "data-verdict": ok ? "pass" : "fail" }, ok ? "✔ " : "✘ ", bi(zh, en));
}

function steps(result) {
  return h(
    "ul",
    { class: "gates" },
    result.steps.map((s) => h("li", { class: s.ok ? "gate passed" : "gate", "data-step": s.step, "data-passed": String(s.ok) }, s.ok ? "✔ " : "✘ ", bi(...STEPS[s.step]))),
  );
}

const noHashing = () => verdict("consistency", false, ["此页面无法计算哈希（须经 HTTPS 或本机地址打开），请用 gravity audit verify。", "This page cannot hash (open it over HTTPS or on this machine); use gravity audit verify."]);

/** The verification status: the consistency from the first to the newest checkpoint,
 * checked here, and what the server reports. */
export async function verificationSection(first, newest) {
  const rows = [];
  const row = (zh, en, ...value) => rows.push(h("dt", {}, bi(zh, en)), h("dd", {}, ...value));
  if (!newest) {
    row("一致性", "Consistency", h("span", { "data-testid": "consistency", "data-verdict": "none" }, bi("尚无签名检查点。", "No signed checkpoint yet.")));
  } else if (!canHash()) {
    row("一致性", "Consistency", noHashing());
  } else {
    let proof = null;
    let refusal = null;
    try {
      proof = await get("/audit/proofs/consistency", { from: first.position, to: newest.position });
    } catch (failure) {
      if (!(failure instanceof ApiFailure)) throw failure;
      refusal = failure;
    }
    if (proof) {
      const result = await checkConsistency(proof, first, newest);
      const said = result.ok
        ? [`从首个检查点（位置 ${first.position}）到最新检查点（位置 ${newest.position}），日志只增未改：已在本浏览器核验。`, `The log only grew from the first checkpoint (${first.position}) to the newest (${newest.position}): checked in this browser.`]
        : [`从位置 ${first.position} 到 ${newest.position} 的一致性证明未通过核验。`, `The consistency proof from ${first.position} to ${newest.position} does not check out.`];
      row("一致性", "Consistency", verdict("consistency", result.ok, said), steps(result));
      row("服务器所报", "The server reports", h("span", { "data-testid": "server-report", "data-verdict": "pass" }, bi("可给出证明：日志与其签名检查点相符。", "Proofs are given: the log matches its signed checkpoints.")));
    } else {
      row("一致性", "Consistency", verdict("consistency", false, explain(refusal)));
      const said = refusal.code === "PROOF_UNAVAILABLE" ? ["服务器无法给出证明：存储的日志与已签名的检查点不符，请运行 gravity audit verify。", "The server gives no proof: the stored log no longer matches a checkpoint it signed; run gravity audit verify."] : explain(refusal);
      row("服务器所报", "The server reports", h("span", { "data-testid": "server-report", "data-verdict": "fail" }, bi(...said)));
    }
  }
  row("签名", "Signatures", h("span", { class: "muted" }, bi("检查点的签名须以日志公钥离线核验（gravity audit verify）。", "Check the checkpoints' signatures offline with the log's public key (gravity audit verify).")));
  return h("dl", { class: "facts", "data-testid": "verification-status" }, rows);
}

async function proveOne(eventId, newest) {
  let proof;
  try {
    proof = await get("/audit/proofs/inclusion", { event_id: eventId });
  } catch (failure) {
    if (failure.code === "PROOF_UNAVAILABLE") {
      const position = newest ? newest.position : 0;
      throw new ApiFailure(409, "PROOF_NOT_YET", `newest checkpoint ${position}`);
    }
    throw failure;
  }
  const page = await get("/audit/events", { after: proof.position - 1, limit: 1 });
  const entry = page.events[0];
  if (!entry || entry.event.event_id !== eventId) throw new ApiFailure(0, "EVENT_NOT_IN_LOG");
  return { proof, entry, result: await checkInclusion(proof, entry.hash) };
}

/** The inclusion-proof form; ``check(eventId)`` runs it (the events table's buttons use it). */
export function inclusionSection(newest) {
  const input = h("input", { type: "text", autocomplete: "off", spellcheck: "false", pattern: "[0-9a-fA-F-]{36}", required: true });
  const button = h("button", { type: "submit" }, bi("核验", "Check"));
  const result = h("div", { "data-testid": "inclusion-result", "aria-live": "polite" });
  const run = async () => {
    fill(result);
    if (!canHash()) return fill(result, noHashing());
    const found = await act(button, ["正在核验", "Checking"], () => proveOne(input.value.trim(), newest));
    if (found === undefined) return fill(result, verdict("inclusion-verdict", false, ["未能核验，原因见上方提示。", "Not checked; the notice above says why."]));
    const { proof, entry, result: checked } = found;
    const said = checked.ok
      ? [`位置 ${proof.position} 的 ${entry.event.event_type} 在位置 ${proof.tree_size} 的签名检查点之内：已在本浏览器核验。`, `The ${entry.event.event_type} at ${proof.position} is in the log the checkpoint at ${proof.tree_size} signed: checked in this browser.`]
      : [`位置 ${proof.position} 的包含证明未通过核验。`, `The inclusion proof of the entry at ${proof.position} does not check out.`];
    return fill(result, verdict("inclusion-verdict", checked.ok, said), steps(checked));
  };
  const form = h("form", { class: "filters", "aria-label": "包含证明 Inclusion proof" }, field("prove-event", "事件编号", "Event id", input), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  const check = (eventId) => {
    input.value = eventId;
    input.focus();
    return run();
  };
  return { section: [form, result], check };
}
