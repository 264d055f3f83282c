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

module.exports = { roleScope, roleRows }
