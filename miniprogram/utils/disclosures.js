// Three-affairs disclosures (三务公开) as villagers read them, and their public questions (质询).
// The shapes are the API's (app/api/schemas/disclosures.py, questions.py); the officers' side is in
// utils/disclosure-work.js, whose period and category words are used here too.
const { fenToYuan, shanghaiTime } = require('./format')
const { CATEGORY_NAMES, periodText } = require('./disclosure-work')

const TABS = [
  { key: 'latest', text: '最新' },
  { key: 'party', text: '党务' },
  { key: 'village', text: '村务' },
  { key: 'finance', text: '财务' },
]

// ---- lists ----

// The last day a period covers, for ordering ("2026-Q1" → "2026-03-31", "2026-03" → "2026-03-31",
// "2026-03-15" → itself): a quarter and the month it ends with sit together, newest first.
function periodEnd(period) {
  const pad = n => (n < 10 ? '0' : '') + n
  let m = /^(\d{4})-Q([1-4])$/.exec(period || '')
  if (m) return `${m[1]}-${pad(m[2] * 3)}-31`
  m = /^(\d{4})-(\d{2})$/.exec(period || '')
  if (m) return `${m[1]}-${m[2]}-31`
  return period || ''
}

// A line of a list (DisclosureOut, with `read` from GET /h/<code>/disclosures).
function listRow(d) {
  const v = d.current || {}
  return {
    id: d.id,
    title: v.title || '',
    itemName: d.item_type ? d.item_type.name : '',
    categoryName: CATEGORY_NAMES[d.category] || '',
    period: d.period,
    periodText: periodText(d.period),
    publishedText: shanghaiTime(v.published_at, { dateOnly: true }),
    corrected: (v.number || 1) > 1,
    read: d.read !== false, // the landing's list carries no marks: unread only when the server says so
  }
}

// Rows grouped by period, newest period first; rows keep their order (newest published first).
function byPeriod(rows) {
  const groups = []
  const index = {}
  rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const ea = periodEnd(a.row.period)
      const eb = periodEnd(b.row.period)
      if (ea !== eb) return ea < eb ? 1 : -1
      return a.i - b.i
    })
    .forEach(({ row }) => {
      if (!(row.period in index)) {
        index[row.period] = groups.length
        groups.push({ period: row.period, periodText: row.periodText, rows: [] })
      }
      groups[index[row.period]].rows.push(row)
    })
  return groups
}

// ---- one disclosure ----

// The finance table of a version, for a phone: income rows and expense rows (an API row carrying
// both shows in both), each section with its subtotal, then the balance. `checked`: the rows add up
// to the totals the server computed (they always should; a mismatch is shown, never hidden).
function financeTable(version) {
  const items = (version && version.line_items) || []
  if (!items.length) return null
  const income = []
  const expense = []
  let incomeFen = 0
  let expenseFen = 0
  items.forEach((item, i) => {
    if (item.income_fen) {
      income.push({ key: 'i' + i, label: item.label, amount: fenToYuan(item.income_fen) })
      incomeFen += item.income_fen
    }
    if (item.expense_fen || !item.income_fen) {
      expense.push({ key: 'e' + i, label: item.label, amount: fenToYuan(item.expense_fen || 0) })
      expenseFen += item.expense_fen || 0
    }
  })
  const declaredIncome = typeof version.total_income_fen === 'number' ? version.total_income_fen : incomeFen
  const declaredExpense = typeof version.total_expense_fen === 'number' ? version.total_expense_fen : expenseFen
  return {
    income,
    expense,
    incomeTotal: fenToYuan(incomeFen),
    expenseTotal: fenToYuan(expenseFen),
    balance: fenToYuan(incomeFen - expenseFen),
    balanceNegative: incomeFen < expenseFen,
    checked: declaredIncome === incomeFen && declaredExpense === expenseFen,
  }
}

const isPdf = a => a.media_type === 'application/pdf'

function sizeText(bytes) {
  if (!(bytes > 0)) return ''
  if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + ' KB'
  return (bytes / (1024 * 1024)).toFixed(1) + ' MB'
}

// Attachments of a version: images (shown inline) and files (PDF, opened on tap).
function attachmentRows(version) {
  return ((version && version.attachments) || []).map(a => ({
    id: a.id,
    filename: a.filename,
    pdf: isPdf(a),
    sizeText: sizeText(a.size),
  }))
}

// The published versions, oldest first, in words: 第1版 …, then each 更正 with its public reason.
function versionHistory(versions) {
  return (versions || []).map(v => ({
    id: v.id,
    number: v.number,
    title: v.number > 1 ? `第${v.number}版（更正）` : '第1版（首次公开）',
    publishedText: shanghaiTime(v.published_at),
    reason: v.number > 1 ? v.correction_reason || '' : '',
  }))
}

// Who approved a version and when: "村务监督委员会 王某 审核，2026年3月3日 10:00 公开".
function approvalText(version) {
  if (!version) return ''
  const when = shanghaiTime(version.published_at)
  if (!version.approved_by) return when ? `${when} 公开` : ''
  return `${version.approved_by} 审核` + (when ? `，${when} 公开` : '')
}

// ---- public questions (质询) ----

const QUESTION_STATES = {
  open: '等待村里答复',
  overdue: '已超过答复期限，已提请镇里督办',
  answered: '村里已答复',
  held: '正在审核，通过后公开',
  rejected: '未通过审核，没有公开',
}

// A question as the village reads it under a disclosure (QuestionOut).
function questionRow(q) {
  return {
    id: q.id,
    body: q.body,
    askedText: shanghaiTime(q.asked_at, { dateOnly: true }),
    answer: q.answer || '',
    answeredText: shanghaiTime(q.answered_at, { dateOnly: true }),
    answered: q.status === 'answered',
  }
}

// The asker's own question (AskedQuestionOut), with its state and the answer's due date in words.
function myQuestionRow(q) {
  const due = shanghaiTime(q.due_at, { dateOnly: true })
  let dueText = ''
  if (q.status === 'open') dueText = `村里应在 ${due} 前答复`
  else if (q.status === 'overdue') dueText = `答复期限是 ${due}`
  else if (q.status === 'held') dueText = '答复期限从审核通过、公开之日算起'
  return {
    id: q.id,
    body: q.body,
    status: q.status,
    statusText: QUESTION_STATES[q.status] || '',
    tone: { open: 'amber', overdue: 'red', answered: 'green' }[q.status] || 'grey',
    dueText,
    askedText: shanghaiTime(q.asked_at),
    answer: q.answer || '',
    answeredText: shanghaiTime(q.answered_at),
    askerName: q.asker_name || '',
    disclosureId: q.disclosure ? q.disclosure.id : null,
    disclosureTitle: q.disclosure ? q.disclosure.title : '',
    disclosureMeta: q.disclosure
      ? [CATEGORY_NAMES[q.disclosure.category] || '', periodText(q.disclosure.period)].filter(Boolean).join(' · ')
      : '',
  }
}

module.exports = {
  TABS,
  QUESTION_STATES,
  periodEnd,
  listRow,
  byPeriod,
  financeTable,
  attachmentRows,
  versionHistory,
  approvalText,
  questionRow,
  myQuestionRow,
  sizeText,
}
