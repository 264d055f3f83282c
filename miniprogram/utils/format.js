// Small display helpers shared by pages.

// "某某镇 某某村" for a role; township or village may be null depending on the role's level.
function roleScope(role) {
  if (!role) return ''
  const parts = []
  if (role.township && role.township.name) parts.push(role.township.name)
  if (role.village && role.village.name) parts.push(role.village.name)
  return parts.join(' ')
}

// Roles as the pages render them.
function roleRows(roles) {
  return (roles || []).map(r => ({
    id: r.id,
    label: r.role_label || r.role,
    scope: roleScope(r),
  }))
}


// Times from the API carry their offset ("2026-03-05T14:05:00+08:00"); show them as Beijing time
// whatever the phone's own time zone: "2026年3月5日 14:05" (or just the date).
function shanghaiTime(iso, { dateOnly = false } = {}) {
  const ms = iso ? Date.parse(iso) : NaN
  if (isNaN(ms)) return ''
  const t = new Date(ms + 8 * 3600 * 1000) // read with getUTC*: Asia/Shanghai has no summer time
  const pad = n => (n < 10 ? '0' : '') + n
  const date = `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日`
  return dateOnly ? date : `${date} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`
}

// ---- money: the API counts integer fen (分); people read and type 元 ----
// No floating point anywhere: "0.1 + 0.2" must never reach a finance table.

// 123456 → "1,234.56"; -5 → "-0.05". Anything but an integer → ''.
function fenToYuan(fen) {
  if (typeof fen !== 'number' || !Number.isInteger(fen)) return ''
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(fen)
  const yuan = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const cents = String(abs % 100).padStart(2, '0')
  return `${sign}${yuan}.${cents}`
}

const MAX_YUAN_DIGITS = 11 // the API's MAX_FEN is 10^13 fen: under ¥100 billion

// What a person typed as 元 → {fen} or {error} (a Chinese message for the field).
// "12.3" → 1230, "12" → 1200, "0.05" → 5, "12." → 1200; "１２．３" (full-width) is read the same.
// Refused: empty, negative, more than two decimals, separators or letters, absurdly large.
function yuanToFen(text) {
  const typed = String(text === undefined || text === null ? '' : text)
    .replace(/[\uFF10-\uFF19]/g, c => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\uFF0E\u3002]/g, '.')
    .trim()
  if (!typed) return { error: '请填写金额' }
  if (typed.charAt(0) === '-') return { error: '金额不能是负数' }
  const m = /^(\d+)(?:\.(\d*))?$/.exec(typed)
  if (!m) return { error: '金额只能填数字，例如 1200.50' }
  const decimals = m[2] || ''
  if (decimals.length > 2) return { error: '金额最多填到分（小数点后两位）' }
  const whole = m[1].replace(/^0+(?=\d)/, '')
  if (whole.length > MAX_YUAN_DIGITS) return { error: '金额过大，请核对' }
  return { fen: Number(whole) * 100 + Number((decimals + '00').slice(0, 2)) }
}

module.exports = { roleScope, roleRows, shanghaiTime, fenToYuan, yuanToFen }
