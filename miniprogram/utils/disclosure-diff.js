// What changed in a disclosure between two contents, field by field and row by row, for the
// supervision committee's review page: the version now in review against what the committee last
// returned (VersionOut.last_returned), or a correction against the version villagers read now.
// Pure functions over the API's shapes; amounts stay integer fen until they are formatted.
const { fenToYuan } = require('./format')

// Either a version (VersionOut) or a returned snapshot (ReturnedContentOut, attachments as ids).
function contentOf(v) {
  if (!v) return null
  const attachments = v.attachments
    ? v.attachments.map(a => ({ id: a.id, filename: a.filename }))
    : (v.attachment_ids || []).map(id => ({ id, filename: '' }))
  return { title: v.title || '', body: v.body || '', lineItems: v.line_items || [], attachments }
}

function amountText(row) {
  const income = row.income_fen || 0
  const expense = row.expense_fen || 0
  const parts = []
  if (income) parts.push('收入 ' + fenToYuan(income) + ' 元')
  if (expense) parts.push('支出 ' + fenToYuan(expense) + ' 元')
  return parts.length ? parts.join('，') : '0 元'
}

function sums(items) {
  return items.reduce(
    (t, r) => ({ income: t.income + (r.income_fen || 0), expense: t.expense + (r.expense_fen || 0) }),
    { income: 0, expense: 0 }
  )
}

// Rows are matched by their label (the n-th "保洁费" before with the n-th after), so reordering is
// not a change; a new label is a row added, a label gone is a row removed.
function rowChanges(before, after) {
  const pool = {}
  before.forEach(r => {
    ;(pool[r.label] = pool[r.label] || []).push(r)
  })
  const out = []
  after.forEach(r => {
    const old = (pool[r.label] || []).shift()
    if (!old) out.push({ kind: 'added', label: r.label, before: '', after: amountText(r) })
    else if ((old.income_fen || 0) !== (r.income_fen || 0) || (old.expense_fen || 0) !== (r.expense_fen || 0)) {
      out.push({ kind: 'changed', label: r.label, before: amountText(old), after: amountText(r) })
    }
  })
  before.forEach(r => {
    const left = pool[r.label]
    if (left && left.indexOf(r) !== -1) out.push({ kind: 'removed', label: r.label, before: amountText(r), after: '' })
  })
  return out
}

const MAX_LCS_CELLS = 250000 // beyond that, the whole old text out and the whole new text in

// Line by line (longest common subsequence): [{kind: 'same' | 'added' | 'removed', text}].
function lineChanges(before, after) {
  const a = before.split('\n')
  const b = after.split('\n')
  if (a.length * b.length > MAX_LCS_CELLS) {
    return a.map(text => ({ kind: 'removed', text })).concat(b.map(text => ({ kind: 'added', text })))
  }
  const n = a.length
  const m = b.length
  const lcs = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }
  const out = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] })
      i += 1
      j += 1
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ kind: 'removed', text: a[i++] })
    } else {
      out.push({ kind: 'added', text: b[j++] })
    }
  }
  while (i < n) out.push({ kind: 'removed', text: a[i++] })
  while (j < m) out.push({ kind: 'added', text: b[j++] })
  return out.map((line, key) => Object.assign({ key }, line))
}

// Everything that differs, ready for WXML. `changed` is false when nothing does.
function diff(beforeVersion, afterVersion) {
  const before = contentOf(beforeVersion)
  const after = contentOf(afterVersion)
  const result = { changed: false, title: null, body: null, rows: [], totals: null, attachmentsAdded: [], attachmentsRemoved: [] }
  if (!before || !after) return result
  if (before.title !== after.title) result.title = { before: before.title, after: after.title }
  if (before.body !== after.body) result.body = lineChanges(before.body, after.body)
  result.rows = rowChanges(before.lineItems, after.lineItems).map((r, key) => Object.assign({ key }, r))
  const s0 = sums(before.lineItems)
  const s1 = sums(after.lineItems)
  if (s0.income !== s1.income || s0.expense !== s1.expense) {
    result.totals = {
      before: amountText({ income_fen: s0.income, expense_fen: s0.expense }),
      after: amountText({ income_fen: s1.income, expense_fen: s1.expense }),
    }
  }
  const had = new Set(before.attachments.map(a => a.id))
  const has = new Set(after.attachments.map(a => a.id))
  result.attachmentsAdded = after.attachments.filter(a => !had.has(a.id)).map(a => a.filename || '附件')
  result.attachmentsRemoved = before.attachments.filter(a => !has.has(a.id)).map(a => a.filename || '附件')
  result.changed = !!(
    result.title || result.body || result.rows.length || result.attachmentsAdded.length || result.attachmentsRemoved.length
  )
  return result
}

module.exports = { diff, contentOf, amountText, rowChanges, lineChanges }
