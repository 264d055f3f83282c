// Complaints (监督一点通) as pages show them: states and steps in plain words, timelines in Beijing
// time, form errors per field, and the filing's request id. The shapes are the API's
// (app/api/schemas.py: ComplaintOut, HandlerComplaintOut, ComplaintPublicOut).
const { shanghaiTime } = require('./format')

// What the villager reads about their own case.
const VILLAGER_STATUS = {
  held: '已提交，正在审核内容',
  assigned: '已转交，等待办理',
  signed: '正在办理',
  waiting: '办理单位请您补充情况',
  replied: '已答复，请您确认是否解决',
  returned: '正在重新安排办理单位',
  closed: '已办结',
}

// What an office reads in its inbox (the filter tabs use the same words).
const OFFICER_STATUS = {
  held: '待审核',
  assigned: '待签收',
  signed: '办理中',
  waiting: '待村民补充',
  replied: '已答复',
  returned: '已退单',
  closed: '已办结',
}

const RESOLUTION = { solved: '已解决', rejected: '未通过审核', not_confirmed: '未确认解决', merged: '与同类反映合并办理' }

// Each step of the case history (ComplaintEvent.kind).
const EVENT_TITLES = {
  filed: '提交反映',
  released: '审核通过',
  rejected: '审核未通过',
  signed: '签收',
  replied: '答复',
  returned: '退单',
  redispatched: '重新分派',
  confirmed: '确认已解决',
  reopened: '反馈未解决',
  asked: '请您补充情况',
  supplied: '已补充情况',
  resumed: '恢复办理',
  reminded: '办理提醒',
  escalated: '逾期提级督办',
  overdue: '已逾期',
  unconfirmed: '逾期未确认，办结',
}

function villagerStatus(c) {
  if (c.status === 'closed' && RESOLUTION[c.resolution]) return '已办结（' + RESOLUTION[c.resolution] + '）'
  return VILLAGER_STATUS[c.status] || c.status
}

function officerStatus(c) {
  return OFFICER_STATUS[c.status] || c.status
}

// Oldest first, as the case happened. `internal` adds the offices' internal notes (HandlerEventOut).
function timeline(events, { internal = false } = {}) {
  return (events || []).map((e, i) => ({
    key: i,
    title: EVENT_TITLES[e.kind] || '办理进展',
    actor: e.actor_label || '',
    note: e.public_note || '',
    internalNote: internal ? e.internal_note || '' : '',
    time: shanghaiTime(e.created_at),
  }))
}

function lastReply(events) {
  const replies = (events || []).filter(e => e.kind === 'replied' && e.public_note)
  return replies.length ? replies[replies.length - 1].public_note : ''
}

// A line in a list of cases.
function listRow(c, { officer = false } = {}) {
  return {
    id: c.id,
    reference: c.reference,
    categoryName: c.category_name || '',
    status: c.status,
    statusText: officer ? officerStatus(c) : villagerStatus(c),
    filedAt: shanghaiTime(c.filed_at),
    needsAnswer: !officer && c.status === 'replied',
    summary: summary(c.description),
    copyOnly: officer && c.handling === false,
  }
}

function summary(text) {
  const chars = Array.from(text || '')
  return chars.length > 40 ? chars.slice(0, 40).join('') + '…' : chars.join('')
}

// Characters as the server counts them (code points, so an emoji is one).
function charCount(text) {
  return Array.from(text || '').length
}

// Made once per filing form and sent with every attempt: a double tap or a retry after a lost
// answer files nothing twice (the server answers with the case the first attempt made).
// The API accepts ^[A-Za-z0-9_-]{8,64}$.
function newRequestId() {
  let random = ''
  while (random.length < 16) random += Math.random().toString(36).slice(2)
  return 'mp-' + Date.now().toString(36) + '-' + random.slice(0, 16)
}

// {field: ['至少 5 个字']} (the API's `fields`) → {field: '至少 5 个字'} for the form.
function fieldMessages(fields) {
  const out = {}
  Object.keys(fields || {}).forEach(name => {
    out[name] = flatten(fields[name]).join('；')
  })
  return out
}

function flatten(value) {
  if (Array.isArray(value)) return [].concat(...value.map(flatten))
  if (value && typeof value === 'object') return [].concat(...Object.keys(value).map(k => flatten(value[k])))
  return value === undefined || value === null ? [] : [String(value)]
}

// Any role other than 村民 may have cases on its desk (GET /complaints).
function hasInbox(roles) {
  return (roles || []).some(r => r.role && r.role !== 'villager')
}

// A transition refused because the case moved meanwhile (another cadre, another phone).
function isConflict(err) {
  return !!err && err.status === 409
}

module.exports = {
  VILLAGER_STATUS,
  OFFICER_STATUS,
  EVENT_TITLES,
  villagerStatus,
  officerStatus,
  timeline,
  lastReply,
  listRow,
  charCount,
  newRequestId,
  fieldMessages,
  hasInbox,
  isConflict,
}
