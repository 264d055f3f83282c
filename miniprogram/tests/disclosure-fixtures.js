// API bodies for the officers' disclosure pages (cadres, the supervision committee), built whole as
// the API dumps them. Every answer a test gives goes through `answer`/`apiAnswer`, which checks it
// against the backend's OpenAPI response schema, so these cannot drift from the API.
const { apiAnswer, installWx, openPage } = require('./helpers')
const { installFiles } = require('./wx-files')

const BASE = 'http://127.0.0.1:5000/api/v1'
const VILLAGE = 5
const TOWNSHIP = 2

const ITEMS = {
  finance: { id: 11, key: 'finance_income_expense', name: '财务收支情况', category: 'finance', frequency: 'monthly', legal_basis: '农村集体经济组织财务公开规定（2011）' },
  party: { id: 12, key: 'party_fees', name: '党费收缴使用', category: 'party', frequency: 'quarterly', legal_basis: '党务公开条例（试行）' },
  lease: { id: 13, key: 'assets_lease', name: '资产资源发包、租赁、出让', category: 'finance', frequency: 'immediate', legal_basis: '农村集体经济组织财务公开规定（2011）' },
}

const ROWS = [
  { label: '村道保洁费', income_fen: 0, expense_fen: 120000 },
  { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 },
]

function sum(items, key) {
  return items && items.length ? items.reduce((s, r) => s + r[key], 0) : null
}

// VersionOut (what cadres and the committee get).
function version(overrides = {}) {
  const v = Object.assign({
    id: 301,
    disclosure_id: 31,
    number: 1,
    status: 'draft',
    title: '2026年2月财务收支情况公开',
    body: '本月收支如下。',
    line_items: ROWS,
    correction_reason: null,
    review_comment: null,
    submitted_at: null,
    published_at: null,
    content_hash: null,
    attachments: [],
    last_returned: null,
  }, overrides)
  v.total_income_fen = sum(v.line_items, 'income_fen')
  v.total_expense_fen = sum(v.line_items, 'expense_fen')
  return v
}

// PublicVersionOut (a published version, as `current`).
function publicVersion(overrides = {}) {
  const v = version(Object.assign({ status: 'published', published_at: '2026-02-25T10:00:00+08:00', content_hash: 'a'.repeat(64) }, overrides))
  delete v.status
  delete v.review_comment
  delete v.submitted_at
  delete v.last_returned
  v.approved_by = '村务监督委员会'
  v.approved_at = v.published_at
  return v
}

// OfficerDisclosureOut.
function disclosure(versions, { id = 31, item = ITEMS.finance, period = '2026-02', current = null } = {}) {
  return {
    id,
    village_id: VILLAGE,
    category: item.category,
    period,
    item_type: item,
    first_published_at: current ? current.published_at : null,
    current,
    versions,
  }
}

function calendarRow(item, period, due, status, publishedOn = null) {
  return { item_type: item, period, due, status, published_on: publishedOn }
}

// OfficerQuestionOut.
function question(overrides = {}) {
  return Object.assign({
    id: 71,
    disclosure_id: 31,
    body: '保洁费为什么比上月多？',
    asked_at: '2026-02-26T09:00:00+08:00',
    due_at: '2026-03-18T09:00:00+08:00',
    answer: null,
    answered_at: null,
    status: 'open',
    held_for_review: false,
    asker_name: null,
  }, overrides)
}

function attachment(overrides = {}) {
  return Object.assign({ id: 91, version_id: 301, filename: '收据.jpg', media_type: 'image/jpeg', size: 20480, sha256: 'b'.repeat(64) }, overrides)
}

// route(opts) from a table of [METHOD, path below /api/v1 (a string or a RegExp), reply] where reply
// is (opts) → an answer (built with apiAnswer / apiError; UPLOAD for wx.uploadFile; DOWNLOAD for
// wx.downloadFile, answered with wx-files' saved(path) through `route.files`). A request no row
// matches is answered 404 and kept in `route.unmatched` for the test to check.
function router(table) {
  const route = opts => {
    const method = opts.download ? 'DOWNLOAD' : opts.filePath ? 'UPLOAD' : (opts.method || 'GET')
    const path = opts.url.replace(BASE, '')
    const hit = table.find(([m, p]) => m === method && (p instanceof RegExp ? p.test(path) : p === path))
    if (hit) return hit[2](opts)
    route.unmatched.push(`${method} ${path}`)
    return { statusCode: 404, data: { error: { code: 'not_found', message: '测试没有准备这个请求' } } }
  }
  route.unmatched = []
  route.files = opts => route(Object.assign({ download: true }, opts))
  return route
}

// A reply answering `body`, checked now (so a drifting fixture fails the test at once) as METHOD
// path → status.
function answer(method, path, status, body) {
  const checked = apiAnswer(method, path, status, body)
  return () => checked
}

// Opens `page` for an officer holding `token`, every request, upload and download answered from
// `table` (see router). → {comp, wx, route}; check route.unmatched after the test.
function openAs(token, page, options, table) {
  const route = router(table) // a late download of an earlier test's page stays with that test's route
  const { wx } = installWx(route, { token })
  installFiles(opts => route.files(opts))
  Object.assign(wx, { chooseMessageFile: jest.fn(), navigateBack: jest.fn() })
  return { comp: openPage(page, options), wx, route }
}

module.exports = {
  openAs,
  BASE, VILLAGE, TOWNSHIP, ITEMS, ROWS,
  version, publicVersion, disclosure, calendarRow, question, attachment, router, answer,
}
