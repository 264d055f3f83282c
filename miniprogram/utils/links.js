// Ordinary-link QR codes (扫普通链接二维码打开小程序). The printed code holds an https URL of the
// project's own domain; the admin console maps URL prefixes to pages:
//   https://<host>/i/<token>  → pages/invite/invite   (cadre invitation)
//   https://<host>/h/<code>   → household page (not built yet)
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

// The invitation token from page options: `token` (navigated to directly) or `q` (scanned).
function invitationTokenFrom(options) {
  const opts = options || {}
  let token = ''
  if (opts.token) {
    token = String(opts.token)
  } else if (opts.q) {
    const link = parseScanUrl(String(opts.q))
    token = link && link.kind === 'invitation' ? link.value : ''
  }
  return TOKEN_RE.test(token) ? token : ''
}

module.exports = { parseScanUrl, invitationTokenFrom }
