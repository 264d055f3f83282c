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

module.exports = { roleScope, roleRows, shanghaiTime }
