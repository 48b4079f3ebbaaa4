// The admin API under /_standin/ (README.md, "Admin API"): fault rules, the request log, setting
// up and resetting fauxqs and the GuardDuty store. Never signed, never logged. Bad input → 400
// {"error"}, unknown route → 404.

import { describeRule } from "./faults.mjs";
import { drain, readJson, sendJson } from "./http-helpers.mjs";

/** Answer an admin request for the stand-in described by `context`; `path` starts /_standin. */
export async function handleAdmin(context, req, res, path) {
  const { faultRules, requestLog, guardduty, fauxqsControls, region, regions } = context;
  const route = path.replace(/^\/_standin\/?/, "").replace(/\/$/, "");
  try {
    if (route === "health" && req.method === "GET") {
      return sendJson(res, 200, { ok: true, endpoint: context.endpoint, fauxqs: context.fauxqsEndpoint, region, regions });
    }
    if (route === "faults") {
      if (req.method === "GET") return sendJson(res, 200, faultRules.describe());
      if (req.method === "DELETE") {
        await drain(req);
        faultRules.clear();
        return sendJson(res, 200, { cleared: true });
      }
      if (req.method === "POST") {
        const body = await readJson(req);
        const added = faultRules.add(Array.isArray(body) ? body : [body]);
        // One rule given → one rule back; an array → an array, even of one.
        return sendJson(res, 201, Array.isArray(body) ? added.map(describeRule) : describeRule(added[0]));
      }
    }
    const one = /^faults\/(r\d+)$/.exec(route);
    if (one && req.method === "DELETE") {
      await drain(req);
      if (!faultRules.remove(one[1])) return sendJson(res, 404, { error: `no rule ${one[1]}` });
      return sendJson(res, 200, { removed: one[1] });
    }
    if (route === "requests") {
      if (req.method === "GET") return sendJson(res, 200, requestLog.entries);
      if (req.method === "DELETE") {
        await drain(req);
        requestLog.clear();
        return sendJson(res, 200, { cleared: true });
      }
    }
    if (route.startsWith("guardduty/")) return await handleGuardDutyAdmin(context, req, res, route);
    if (route === "reset" && req.method === "POST") {
      await drain(req);
      fauxqsControls.reset();
      guardduty.reset();
      return sendJson(res, 200, { reset: true });
    }
    if (route === "purge" && req.method === "POST") {
      await drain(req);
      fauxqsControls.purgeAll();
      guardduty.purge();
      return sendJson(res, 200, { purged: true });
    }
    if (route === "s3/last-modified" && req.method === "POST") {
      const body = (await readJson(req)) ?? {};
      return sendJson(res, 200, fauxqsControls.setLastModified(body.bucket, body.key, body.last_modified));
    }
    if (route === "setup" && req.method === "POST") {
      const body = await readJson(req);
      fauxqsControls.setup(body ?? {});
      return sendJson(res, 200, { ok: true });
    }
    await drain(req);
    return sendJson(res, 404, { error: `unknown admin route ${req.method} ${path}` });
  } catch (e) {
    if (!res.headersSent) return sendJson(res, 400, { error: e.message });
  }
}

// POST/GET guardduty/detectors, DELETE guardduty/detectors/<id>,
// POST/DELETE guardduty/detectors/<id>/findings.
async function handleGuardDutyAdmin(context, req, res, route) {
  const { guardduty, region, regions } = context;
  const m = /^guardduty\/detectors(?:\/([^/]+))?(\/findings)?$/.exec(route);
  const id = m?.[1] && decodeURIComponent(m[1]);
  if (m && !id && !m[2]) {
    if (req.method === "GET") {
      await drain(req);
      return sendJson(res, 200, guardduty.describe());
    }
    if (req.method === "POST") {
      const body = (await readJson(req)) ?? {};
      if (body.region !== undefined && !regions.includes(body.region)) {
        return sendJson(res, 400, { error: `region ${body.region} is not one of this stand-in's (${regions.join(", ")})` });
      }
      return sendJson(res, 201, guardduty.createDetector({ region: body.region ?? region, detectorId: body.detectorId }));
    }
  }
  if (m && id && !m[2] && req.method === "DELETE") {
    await drain(req);
    return guardduty.deleteDetector(id) ? sendJson(res, 200, { removed: id }) : sendJson(res, 404, { error: `no detector ${id}` });
  }
  if (m && id && m[2]) {
    if (!guardduty.detectors.has(id)) {
      await drain(req);
      return sendJson(res, 404, { error: `no detector ${id}` });
    }
    if (req.method === "POST") return sendJson(res, 200, guardduty.putFindings(id, await readJson(req)));
    if (req.method === "DELETE") {
      await drain(req);
      guardduty.detectors.get(id).findings.clear();
      return sendJson(res, 200, { cleared: id });
    }
  }
  await drain(req);
  return sendJson(res, 404, { error: `unknown admin route ${req.method} /_standin/${route}` });
}
