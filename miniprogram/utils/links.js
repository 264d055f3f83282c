// Ordinary-link QR codes (扫普通链接二维码打开小程序). The printed code holds an https URL of the
// project's own domain; the admin console maps URL prefixes to pages:
//   https://<host>/i/<token>  → pages/invite/invite   (cadre invitation)
//   https://<host>/h/<code>   → pages/index/index (the door's landing; utils/household.js)
// The page receives the URL, encoded once, as options.q.

const TOKEN_RE = /^[A-Za-z0-9_-]{8,128}$/

function decodeOnce(q) {
  try {
    return decodeURIComponent(q)
  } catch (e) {
    return ''
  }
}

// '/i/abc' in 'https://host/i/abc?x=1' → {kind: 'invitation', value: 'abc'}; null otherwise.
function parseScanUrl(q) {
  if (!q || typeof q !== 'string') return null
  const url = decodeOnce(q)
  const m = /^https?:\/\/[^/?#]+\/(i|h)\/([^/?#]+)\/?(?:[?#].*)?$/.exec(url)
  if (!m) return null
  return { kind: m[1] === 'i' ? 'invitation' : 'household', value: m[2] }
}

// A value from page options: `options[param]` (navigated to inside the app) or the last segment of
// a scanned link of `kind` (options.q); '' unless it matches `pattern`.
function linkValueFrom(options, { param, kind, pattern }) {
  const opts = options || {}
  let value = ''
  if (opts[param]) {
    value = String(opts[param])
  } else if (opts.q) {
    const link = parseScanUrl(String(opts.q))
    value = link && link.kind === kind ? link.value : ''
  }
  return pattern.test(value) ? value : ''
}

// The invitation token from page options: `token` (navigated to directly) or `q` (scanned).
function invitationTokenFrom(options) {
  return linkValueFrom(options, { param: 'token', kind: 'invitation', pattern: TOKEN_RE })
}

module.exports = { parseScanUrl, linkValueFrom, invitationTokenFrom }
