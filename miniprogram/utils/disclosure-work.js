// Disclosure work (三务公开) for village cadres and the supervision committee, as pages show it:
// who may draft or review where, the statutory calendar in words and colours, drafts and their
// states, periods, and the finance rows of the edit form (元 typed, integer fen sent).
// The shapes are the API's (app/api/schemas/disclosures.py).
const { fenToYuan, yuanToFen, shanghaiTime } = require('./format')
const { download } = require('./request')
const { ApiError } = require('./errors')

const CATEGORY_NAMES = { party: '党务', village: '村务', finance: '财务' }

// app/domain/authz.py: "disclosure.draft" and "disclosure.review".
const DRAFT_ROLES = ['village_secretary', 'village_director', 'village_committee_member', 'village_bookkeeper']
const REVIEW_ROLES = ['supervision_member']

// The villages where the user holds one of `roles` (from GET /me), each once.
function villagesWith(meRoles, roles) {
  const seen = {}
  const out = []
  ;(meRoles || []).forEach(r => {
    if (roles.indexOf(r.role) === -1 || !r.village || seen[r.village.id]) return
    seen[r.village.id] = true
    out.push({ villageId: r.village.id, villageName: r.village.name || '', townshipId: r.township ? r.township.id : null })
  })
  return out
}

const draftVillages = meRoles => villagesWith(meRoles, DRAFT_ROLES)
const reviewVillages = meRoles => villagesWith(meRoles, REVIEW_ROLES)

// ---- dates and periods (Asia/Shanghai) ----
const QUARTER_NAMES = ['一', '二', '三', '四']

// "2026-03" → 2026年3月, "2026-Q1" → 2026年第一季度, "2026-03-15" → 2026年3月15日.
function periodText(period) {
  let m = /^(\d{4})-Q([1-4])$/.exec(period || '')
  if (m) return `${m[1]}年第${QUARTER_NAMES[m[2] - 1]}季度`
  m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(period || '')
  if (!m) return period || ''
  return `${m[1]}年${Number(m[2])}月` + (m[3] ? `${Number(m[3])}日` : '')
}

// "2026-03-20" (a date of the API) → 2026年3月20日
function dateText(day) {
  return /^\d{4}-\d{2}-\d{2}$/.test(day || '') ? periodText(day) : ''
}

// Today in Beijing, whatever the phone's zone: {year, month, day, iso}.
function shanghaiToday(now = Date.now()) {
  const t = new Date(now + 8 * 3600 * 1000)
  const pad = n => (n < 10 ? '0' : '') + n
  const year = t.getUTCFullYear()
  const month = t.getUTCMonth() + 1
  const day = t.getUTCDate()
  return { year, month, day, iso: `${year}-${pad(month)}-${pad(day)}` }
}

// The periods a cadre may pick for an item, newest first (the API's period formats).
function periodChoices(frequency, today = shanghaiToday(), count = 8) {
  const pad = n => (n < 10 ? '0' : '') + n
  const out = []
  if (frequency === 'quarterly') {
    let y = today.year
    let q = Math.floor((today.month - 1) / 3) + 1
    for (let i = 0; i < count; i++) {
      out.push(`${y}-Q${q}`)
      ;[y, q] = q === 1 ? [y - 1, 4] : [y, q - 1]
    }
  } else if (frequency === 'monthly') {
    let y = today.year
    let m = today.month
    for (let i = 0; i < count; i++) {
      out.push(`${y}-${pad(m)}`)
      ;[y, m] = m === 1 ? [y - 1, 12] : [y, m - 1]
    }
  }
  return out.map(value => ({ value, text: periodText(value) }))
}

// The period to propose for an item: the oldest one the calendar says is still missing, else the
// last finished month or quarter, else (an event) today.
function suggestedPeriod(itemType, calendar, today = shanghaiToday()) {
  const missing = (calendar || [])
    .filter(r => r.item_type && r.item_type.id === itemType.id && (r.status === 'overdue' || r.status === 'due'))
    .sort((a, b) => (a.due < b.due ? -1 : 1))
  if (missing.length) return missing[0].period
  if (itemType.frequency === 'immediate') return today.iso
  const choices = periodChoices(itemType.frequency, today, 2)
  return choices.length > 1 ? choices[1].value : ''
}

// ---- the statutory calendar (GET /villages/<id>/calendar) ----
const CALENDAR_STATUS = {
  overdue: { text: '已过期限，还没公开', tone: 'red' },
  due: { text: '还没公开', tone: 'amber' },
  published_late: { text: '已公开（超过期限）', tone: 'orange' },
  on_time: { text: '已按时公开', tone: 'green' },
}

// {todo, done}: what still needs publishing (most urgent first) and what is done (newest first).
function calendarGroups(rows) {
  const shown = (rows || []).map((r, i) => {
    const status = CALENDAR_STATUS[r.status] || { text: r.status, tone: 'grey' }
    return {
      key: i,
      itemTypeId: r.item_type.id,
      itemName: r.item_type.name,
      categoryName: CATEGORY_NAMES[r.item_type.category] || '',
      period: r.period,
      periodText: periodText(r.period),
      due: r.due,
      dueText: dateText(r.due),
      status: r.status,
      statusText: status.text,
      tone: status.tone,
      publishedText: dateText(r.published_on),
    }
  })
  const todo = shown.filter(r => r.status === 'overdue' || r.status === 'due')
  todo.sort((a, b) => (a.status !== b.status ? (a.status === 'overdue' ? -1 : 1) : a.due < b.due ? -1 : 1))
  const done = shown.filter(r => r.status === 'on_time' || r.status === 'published_late')
  done.sort((a, b) => (a.due > b.due ? -1 : 1))
  return { todo, done, overdueCount: todo.filter(r => r.status === 'overdue').length }
}

// ---- drafts and versions (OfficerDisclosureOut, VersionOut) ----
const VERSION_STATUS = {
  draft: { text: '草稿，还没提交审核', tone: 'grey' },
  in_review: { text: '等村务监督委员会审核', tone: 'amber' },
  returned: { text: '被退回，请按意见修改', tone: 'red' },
  published: { text: '已公开', tone: 'green' },
}

// The version being worked on (draft, in review or returned), or null.
function workingVersion(disclosure) {
  const versions = (disclosure && disclosure.versions) || []
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i].status !== 'published') return versions[i]
  return null
}

// A line of a list of disclosures: the working version if there is one, else the published one.
function disclosureRow(d) {
  const v = workingVersion(d) || d.current || {}
  const status = VERSION_STATUS[v.status] || VERSION_STATUS.published
  // After a return the cadre's edits turn it back into a draft; the comment stays to be read.
  const comment = v.status === 'returned' || (v.status === 'draft' && v.review_comment) ? v.review_comment || '' : ''
  return {
    id: d.id,
    versionId: v.id || null,
    title: v.title || '',
    itemName: d.item_type ? d.item_type.name : '',
    categoryName: CATEGORY_NAMES[d.category] || '',
    period: d.period,
    periodText: periodText(d.period),
    status: v.status || 'published',
    statusText: status.text,
    tone: status.tone,
    comment,
    isCorrection: (v.number || 1) > 1,
    correctionReason: v.correction_reason || '',
    submittedText: shanghaiTime(v.submitted_at),
    publishedText: shanghaiTime(d.current ? d.current.published_at : null),
  }
}

// ---- finance rows of the edit form ----
// A form row: {key, label, kind: 'income' | 'expense', yuan: what was typed}. An API row carrying
// both an income and an expense (possible through the API) becomes two form rows of the same label.
let nextKey = 1
function formRow(label = '', kind = 'expense', yuan = '') {
  return { key: 'r' + nextKey++, label, kind, yuan }
}

function plainYuan(fen) {
  return fenToYuan(fen).replace(/,/g, '')
}

function rowsFromApi(lineItems) {
  const rows = []
  ;(lineItems || []).forEach(i => {
    if (i.income_fen) rows.push(formRow(i.label, 'income', plainYuan(i.income_fen)))
    if (i.expense_fen || !i.income_fen) rows.push(formRow(i.label, 'expense', plainYuan(i.expense_fen || 0)))
  })
  return rows
}

// The totals as typed so far ({incomeText, expenseText} in 元) and each row's problem, by key.
// Rows with a bad amount are left out of the totals until corrected.
function checkRows(rows) {
  const errors = {}
  let income = 0
  let expense = 0
  const items = []
  rows.forEach(r => {
    const label = (r.label || '').trim()
    const amount = yuanToFen(r.yuan)
    const problems = []
    if (!label) problems.push('请填写项目名称')
    if (amount.error) problems.push(amount.error)
    if (problems.length) errors[r.key] = problems.join('；')
    if (amount.error) return
    if (r.kind === 'income') income += amount.fen
    else expense += amount.fen
    items.push({
      label,
      income_fen: r.kind === 'income' ? amount.fen : 0,
      expense_fen: r.kind === 'income' ? 0 : amount.fen,
    })
  })
  return {
    errors,
    ok: Object.keys(errors).length === 0,
    items,
    totals: { income_fen: income, expense_fen: expense },
    incomeText: fenToYuan(income),
    expenseText: fenToYuan(expense),
  }
}

// ---- attachments of drafts and versions under review (GET /disclosure-attachments/<id>) ----
// They need the session, so they are downloaded first: images open in the previewer, PDFs in the
// phone's document viewer. Resolves once shown; rejects with the ApiError to show.
function openOfficerAttachment(attachment) {
  return download({ url: '/disclosure-attachments/' + attachment.id }).then(path => {
    if (attachment.kind !== 'pdf' && attachment.media_type !== 'application/pdf') {
      wx.previewImage({ urls: [path], current: path })
      return null
    }
    return new Promise((resolve, reject) => {
      wx.openDocument({
        filePath: path,
        fileType: 'pdf',
        success: () => resolve(null),
        fail: () => reject(new ApiError({ code: 'open_failed', message: '文件打不开，请稍后再试' })),
      })
    })
  })
}

module.exports = {
  CATEGORY_NAMES,
  DRAFT_ROLES,
  REVIEW_ROLES,
  VERSION_STATUS,
  CALENDAR_STATUS,
  draftVillages,
  reviewVillages,
  periodText,
  dateText,
  shanghaiToday,
  periodChoices,
  suggestedPeriod,
  calendarGroups,
  workingVersion,
  disclosureRow,
  formRow,
  rowsFromApi,
  checkRows,
  openOfficerAttachment,
}
