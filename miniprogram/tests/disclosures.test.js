// The villager reads the village's disclosures from the door: the landing lists the latest at once
// and marks what this household has not opened; tabs by category list them by period; a disclosure
// page shows who approved it, its finance table in 元, its corrections with their reasons, its
// attachments, 查验 against the hash chain, the answered questions, and 打电话给镇纪委.
// Every fixture goes through apiAnswer (checked against the backend's OpenAPI document).
const { installWx, apiAnswer, waitFor, openPage, text, texts, tap } = require('./helpers')
const { installFiles, saved } = require('./wx-files')

const BASE = 'http://127.0.0.1:5000/api/v1'
const CODE = 'K3M9-7QX2-ABCDE'
const PHONE = '0571-88001234'

const FINANCE = { id: 9, key: 'finance_income_expense', name: '财务收支明细', category: 'finance', frequency: 'monthly', legal_basis: null }
const PARTY = { id: 3, key: 'party_fees', name: '党费收缴', category: 'party', frequency: 'quarterly', legal_basis: null }

// PublicVersionOut as the API dumps it.
function version(overrides = {}) {
  return Object.assign({
    id: 70, disclosure_id: 31, number: 1, title: '2026年2月财务收支公开', body: '本月收支如下。\n有疑问请提出。',
    line_items: null, total_income_fen: null, total_expense_fen: null, correction_reason: null,
    published_at: '2026-03-03T10:00:00+08:00', content_hash: 'ab12cd34ef56ab78cd90ef12ab34cd56ef78ab90cd12ef34ab56cd78ef90ab12',
    attachments: [], approved_by: '村务监督委员会成员 李监督', approved_at: '2026-03-03T10:00:00+08:00',
  }, overrides)
}

// DisclosureOut (and, with `read`, an item of the household's list).
function disclosure(id, itemType, period, current, extra = {}) {
  return Object.assign({
    id, village_id: 5, category: itemType.category, period, item_type: itemType,
    first_published_at: current.published_at, current: Object.assign({}, current, { disclosure_id: id }),
  }, extra)
}

const LATEST = [
  disclosure(31, FINANCE, '2026-02', version()),
  disclosure(32, PARTY, '2026-Q1', version({ id: 71, title: '2026年第一季度党费收缴情况', published_at: '2026-03-01T09:00:00+08:00' })),
]

function landing(disclosures = LATEST, phone = PHONE) { // HouseholdLandingOut
  return {
    code: CODE, household: { id: 3, number: '0012', grid_name: '一组' },
    village: { id: 5, code: '330102001201', name: '东岭村', kind: 'village', township: { name: '清河镇', supervision_phone: phone } },
    disclosures,
  }
}

const page = (items, total = items.length, n = 1) => ({ items, total, page: n, per_page: 20 }) // DisclosurePageOut
const ME = { kind: 'wx', id: 7, display_name: null, roles: [] }

let wx
const urls = () => wx.request.mock.calls.map(([o]) => o.url)
// What a custom component renders is found inside its own node.
const board = comp => comp.querySelector('.board-box')
const call = comp => comp.querySelector('.call-box')
const view = comp => comp.querySelector('.view-box')

const noDownloads = opts => { throw new Error('unexpected download ' + opts.url) }

// installWx, then the file and phone doubles (before the page: simulate takes `wx` as it is then).
function open(pagePath, options, route, storage = {}, files = noDownloads) {
  ;({ wx } = installWx(route, Object.assign({ token: 'tok' }, storage)))
  installFiles(files)
  return openPage(pagePath, options)
}

beforeEach(() => {
  jest.resetModules()
})

describe('the door’s landing (pages/index)', () => {
  function route(listFor) {
    return opts => {
      const path = opts.url.slice(BASE.length)
      if (path === '/me') return apiAnswer('GET', '/me', 200, ME)
      if (path === `/h/${CODE}`) return apiAnswer('GET', '/h/{code}', 200, landing())
      if (path === `/h/${CODE}/disclosures`) return apiAnswer('GET', '/h/{code}/disclosures', 200, listFor(opts.data || {}))
      throw new Error('unexpected ' + opts.url)
    }
  }

  test('shows the latest disclosures at once, marks the unread ones, and one tap reads one', async () => {
    const q = encodeURIComponent(`https://mingjing.example.cn/h/${CODE}`)
    ;({ wx } = installWx(route(() => page([
      Object.assign({}, LATEST[0], { read: true }), Object.assign({}, LATEST[1], { read: false })])), { token: 'tok' }))
    installFiles(noDownloads)
    // The marks are held back: the latest list is on screen before they arrive.
    const answer = wx.request.getMockImplementation()
    let releaseMarks
    const marksReleased = new Promise(resolve => { releaseMarks = resolve })
    wx.request.mockImplementation(opts => (opts.url.endsWith('/disclosures')
      ? marksReleased.then(() => answer(opts)) : answer(opts)))
    const comp = openPage('pages/index/index', { q })
    await waitFor(() => comp.data.door && !comp.data.view.loading)

    expect(texts(board(comp), '.latest-row .row-title').map(t => t.replace(/(未读|已更正)/g, '').trim())).toEqual([
      '2026年2月财务收支公开', '2026年第一季度党费收缴情况'])
    expect(texts(board(comp), '.latest-row .row-sub')).toEqual([
      '财务 · 2026年2月 · 2026年3月3日 公开', '党务 · 2026年第一季度 · 2026年3月1日 公开'])
    expect(board(comp).querySelectorAll('.unread-badge')).toHaveLength(0) // no marks yet: nothing claimed unread
    releaseMarks()
    await waitFor(() => board(comp).querySelectorAll('.unread-badge').length === 1)
    expect(texts(board(comp), '.latest-row.unread .row-title')[0]).toContain('2026年第一季度党费收缴情况')
    expect(urls().filter(u => u.endsWith('/disclosures'))).toHaveLength(1) // one door, one fetch of its marks

    await tap(board(comp), '.latest-row', 1) // the whole card is the tap target
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/disclosure/disclosure?code=${encodeURIComponent(CODE)}&id=32` })
    expect(board(comp).querySelectorAll('.unread-badge')).toHaveLength(0) // opened: read now
  })

  test('tabs list a category by period, newest first, with unread marks; more on request', async () => {
    const rows = [
      disclosure(41, FINANCE, '2026-03', version({ id: 81, title: '3月收支' }), { read: false }),
      disclosure(42, FINANCE, '2026-01', version({ id: 82, title: '1月收支' }), { read: true }),
      disclosure(43, Object.assign({}, FINANCE, { id: 10, key: 'finance_project', name: '工程项目', frequency: 'immediate' }),
        '2026-02-15', version({ id: 83, title: '村道硬化工程结算' }), { read: true }),
      disclosure(44, Object.assign({}, FINANCE, { id: 11, key: 'finance_quarter', name: '季度汇总', frequency: 'quarterly' }),
        '2026-Q1', version({ id: 84, title: '一季度汇总' }), { read: false }),
    ]
    const older = disclosure(45, FINANCE, '2025-12', version({ id: 85, title: '12月收支' }), { read: true })
    const comp = open('pages/index/index', { code: CODE }, route(query => {
      if (query.category !== 'finance') return page([])
      return query.page === 2 ? page([older], 5, 2) : page(rows, 5)
    }))
    await waitFor(() => comp.data.door && !comp.data.view.loading)

    expect(texts(board(comp), '.board-tab')).toEqual(['最新', '党务', '村务', '财务'])
    await tap(board(comp), '.tab-finance')
    await waitFor(() => board(comp).querySelectorAll('.category-row').length === 4)
    const listCall = wx.request.mock.calls.map(([o]) => o).find(o => o.data && o.data.category === 'finance')
    expect(listCall.url).toBe(`${BASE}/h/${CODE}/disclosures`)
    expect(listCall.data).toEqual({ category: 'finance', page: 1, per_page: 50 })

    // a quarter and the month it ends with sit together; newest period first
    expect(texts(board(comp), '.period-title')).toEqual(['2026年3月', '2026年第一季度', '2026年2月15日', '2026年1月'])
    expect(texts(board(comp), '.category-row .row-title').map(t => t.replace('未读', '').trim()))
      .toEqual(['3月收支', '一季度汇总', '村道硬化工程结算', '1月收支'])
    expect(texts(board(comp), '.category-row.unread .row-title').map(t => t.replace('未读', '').trim())).toEqual(['3月收支', '一季度汇总'])

    await tap(board(comp), '.more-btn')
    await waitFor(() => board(comp).querySelectorAll('.category-row').length === 5)
    expect(texts(board(comp), '.period-title').pop()).toBe('2025年12月')
    expect(board(comp).querySelector('.more-btn')).toBeFalsy()

    await tap(board(comp), '.tab-party')
    await waitFor(() => text(board(comp), '.msg-none') === '这一类还没有公开内容。')
  })

  test('打电话给镇纪委 calls the township’s supervision phone from the landing', async () => {
    const comp = open('pages/index/index', { code: CODE }, route(() => page([])))
    await waitFor(() => comp.data.door)
    expect(text(call(comp), '.call-btn')).toBe('📞 打电话给镇纪委')
    expect(text(call(comp), '.call-number')).toBe(`清河镇纪委监督电话：${PHONE}`)
    await tap(call(comp), '.call-btn')
    expect(wx.makePhoneCall).toHaveBeenCalledTimes(1)
    expect(wx.makePhoneCall.mock.calls[0][0].phoneNumber).toBe('057188001234') // dialled as digits
  })
})

describe('a disclosure (pages/disclosure)', () => {
  const PAGE = 'pages/disclosure/disclosure'
  const DID = 31

  function route({ detail, questions = [], verify, landingBody = landing() }) {
    return opts => {
      const path = opts.url.slice(BASE.length)
      if (path === `/h/${CODE}/disclosures/${DID}`) return apiAnswer('GET', '/h/{code}/disclosures/{disclosure_id}', 200, detail)
      if (path === `/h/${CODE}/disclosures/${DID}/questions`) {
        return apiAnswer('GET', '/h/{code}/disclosures/{disclosure_id}/questions', 200, questions)
      }
      if (path === `/h/${CODE}`) return apiAnswer('GET', '/h/{code}', 200, landingBody)
      if (path === `/disclosures/${DID}/verify`) return apiAnswer('GET', '/disclosures/{disclosure_id}/verify', 200, verify)
      throw new Error('unexpected ' + opts.url)
    }
  }

  // DisclosureDetailOut: the published versions and the current one.
  const detailOf = (...versions) => Object.assign(disclosure(DID, FINANCE, '2026-02', versions[versions.length - 1]), {
    versions: versions.map(v => Object.assign({}, v, { disclosure_id: DID })),
  })

  const LINES = [
    { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 },
    { label: '村道保洁费（含两次集中清运，合同编号 BJ-2026-01）', income_fen: 0, expense_fen: 120000 },
    { label: '办公用品', income_fen: 0, expense_fen: 5678 },
    { label: '上级转移支付', income_fen: 1000000000005, expense_fen: 0 },
  ]

  test('the finance table: a row per item, amounts in 元 from integer fen, subtotals and the checked balance', async () => {
    const v1 = version({ line_items: LINES, total_income_fen: 1000003500005, total_expense_fen: 125678 })
    const comp = open(PAGE, { code: CODE, id: String(DID) }, route({ detail: detailOf(v1) }))
    await waitFor(() => !comp.data.view.loading)

    expect(urls()).toEqual(expect.arrayContaining([`${BASE}/h/${CODE}/disclosures/${DID}`, `${BASE}/h/${CODE}/disclosures/${DID}/questions`]))
    expect(text(comp, '.msg-title')).toBe('2026年2月财务收支公开')
    expect(text(comp, '.msg-period')).toBe('公开期间：2026年2月')
    expect(text(comp, '.msg-approval')).toBe('村务监督委员会成员 李监督 审核，2026年3月3日 10:00 公开')
    expect(texts(view(comp), '.dv-income-row .dv-label')).toEqual(['厂房租金收入', '上级转移支付'])
    expect(texts(view(comp), '.dv-income-row .dv-amount')).toEqual(['35,000.00', '10,000,000,000.05'])
    expect(texts(view(comp), '.dv-expense-row .dv-label')).toEqual(['村道保洁费（含两次集中清运，合同编号 BJ-2026-01）', '办公用品'])
    expect(texts(view(comp), '.dv-expense-row .dv-amount')).toEqual(['1,200.00', '56.78'])
    expect(text(view(comp), '.dv-income-total .dv-amount')).toBe('10,000,035,000.05')
    expect(text(view(comp), '.dv-expense-total .dv-amount')).toBe('1,256.78')
    expect(text(view(comp), '.dv-balance .dv-amount')).toBe('10,000,033,743.27')
    expect(text(view(comp), '.dv-checked')).toBe('✓ 合计已核对：各项相加与总数一致')
    expect(text(view(comp), '.dv-caption')).toBe('账目明细（单位：元）')
    expect(text(view(comp), '.dv-body')).toBe('本月收支如下。 有疑问请提出。')

    // laid out for a 375 px phone: labels wrap, amounts never do, nothing has a fixed width
    const css = require('fs').readFileSync(require('path').join(__dirname, '../components/disclosure-view/disclosure-view.wxss'), 'utf8')
    expect(css).toMatch(/\.dv-label \{[^}]*flex: 1;[^}]*min-width: 0;[^}]*word-break: break-all;/)
    expect(css).toMatch(/\.dv-amount \{[^}]*text-align: right;[^}]*white-space: nowrap;/)
    expect(css).not.toMatch(/\bwidth: \d+(rpx|px)/)
    expect(css).not.toMatch(/overflow-x|scroll-x/)
  })

  test('totals that do not add up are said, not hidden', async () => {
    const wrong = version({ line_items: LINES.slice(0, 2), total_income_fen: 3500000, total_expense_fen: 999 })
    const comp = open(PAGE, { code: CODE, id: String(DID) }, route({ detail: detailOf(wrong) }))
    await waitFor(() => !comp.data.view.loading)
    expect(view(comp).querySelector('.dv-checked')).toBeFalsy()
    expect(text(view(comp), '.dv-unchecked')).toBe('合计与明细对不上，请向村务监督委员会反映')
  })

  test('a correction shows its public reason; the earlier version stays readable', async () => {
    const v1 = version({ line_items: LINES.slice(0, 2), total_income_fen: 3500000, total_expense_fen: 120000 })
    const v2 = version({
      id: 72, number: 2, body: '本月收支如下（保洁费已更正）。', correction_reason: '保洁费金额录入有误，应为 1,020 元',
      line_items: [LINES[0], { label: '村道保洁费', income_fen: 0, expense_fen: 102000 }],
      total_income_fen: 3500000, total_expense_fen: 102000, published_at: '2026-03-10T15:30:00+08:00',
      approved_at: '2026-03-10T15:30:00+08:00',
    })
    const comp = open(PAGE, { code: CODE, id: String(DID) }, route({ detail: detailOf(v1, v2) }))
    await waitFor(() => !comp.data.view.loading)

    expect(text(comp, '.msg-corrected')).toBe('这条公开已更正 1 次。更正理由：保洁费金额录入有误，应为 1,020 元')
    expect(texts(view(comp), '.dv-expense-row .dv-amount')).toEqual(['1,020.00'])
    expect(texts(comp, '.version-row .card-title')).toEqual(['第1版（首次公开）', '第2版（更正）'])
    expect(texts(comp, '.version-reason')).toEqual(['更正理由：保洁费金额录入有误，应为 1,020 元'])
    expect(text(comp, '.msg-approval')).toBe('村务监督委员会成员 李监督 审核，2026年3月10日 15:30 公开')

    await tap(comp, '.version-row', 0)
    expect(text(comp, '.msg-old-version')).toBe('您在看第1版，这一版后来被更正过。')
    expect(texts(view(comp), '.dv-expense-row .dv-amount')).toEqual(['1,200.00'])
    expect(text(view(comp), '.dv-body')).toBe('本月收支如下。 有疑问请提出。')
    await tap(comp, '.back-latest')
    expect(texts(view(comp), '.dv-expense-row .dv-amount')).toEqual(['1,020.00'])
  })

  test('查验 verifies the published version against the public hash chain, in plain words', async () => {
    let verdict = { ok: true, entries: 12, problems: [] }
    const comp = open(PAGE, { code: CODE, id: String(DID) }, opts => route({
      detail: detailOf(version()), verify: verdict,
    })(opts))
    await waitFor(() => !comp.data.view.loading)

    await tap(comp, '.verify-btn')
    await waitFor(() => comp.data.verify)
    expect(urls()).toContain(`${BASE}/disclosures/${DID}/verify`)
    expect(text(comp, '.msg-verify')).toBe('查验通过：这条公开自发布以来没有被改动过。公开记录链共 12 条，环环相扣，全部完好。')
    expect(text(comp, '.msg-fingerprint')).toBe('这一版的指纹：ab12cd34ef56ab78')

    verdict = { ok: false, entries: 12, problems: ['entry 7: disclosure 31 version 1 was changed after publication'] }
    await tap(comp, '.verify-btn')
    await waitFor(() => comp.data.verify && !comp.data.verify.ok)
    expect(text(comp, '.msg-verify')).toBe('查验没有通过：公开记录与发布时对不上，可能被改动过。请打电话给镇纪委反映。')
    expect(text(comp, '.msg-verify')).not.toContain('entry')
  })

  test('attachments: images inline through the request wrapper, a PDF opened with wx.openDocument', async () => {
    const withFiles = version({ attachments: [
      { id: 501, version_id: 70, filename: '保洁合同.jpg', media_type: 'image/jpeg', size: 120000, sha256: 'a'.repeat(64) },
      { id: 502, version_id: 70, filename: '2月明细账.pdf', media_type: 'application/pdf', size: 2400000, sha256: 'b'.repeat(64) },
    ] })
    const comp = open(PAGE, { code: CODE, id: String(DID) }, route({ detail: detailOf(withFiles) }), {},
      opts => saved(opts.url.endsWith('/501') ? 'wxfile://tmp/contract.jpg' : 'wxfile://tmp/ledger.pdf'))
    await waitFor(() => view(comp) && view(comp).querySelector('.dv-image'))

    const [image] = wx.downloadFile.mock.calls.map(([o]) => o)
    expect(image.url).toBe(`${BASE}/h/${CODE}/attachments/501`)
    expect(view(comp).data.images[0].path).toBe('wxfile://tmp/contract.jpg') // the <image> shows the temp file
    await tap(view(comp), '.dv-image-box')
    expect(wx.previewImage).toHaveBeenCalledWith({ current: 'wxfile://tmp/contract.jpg', urls: ['wxfile://tmp/contract.jpg'] })

    expect(text(view(comp), '.dv-file .dv-file-name')).toBe('📄 2月明细账.pdf')
    expect(text(view(comp), '.dv-file .card-sub')).toBe('点这里打开查看（2.3 MB）')
    await tap(view(comp), '.dv-file')
    await waitFor(() => wx.openDocument.mock.calls.length === 1)
    expect(wx.downloadFile).toHaveBeenCalledTimes(2) // the image once, however often the page re-rendered
    expect(wx.downloadFile.mock.calls[1][0].url).toBe(`${BASE}/h/${CODE}/attachments/502`)
    expect(wx.openDocument.mock.calls[0][0]).toMatchObject({ filePath: 'wxfile://tmp/ledger.pdf', fileType: 'pdf' })
  })

  test('answered questions under the disclosure; 我要质询 and 打电话给镇纪委 from here', async () => {
    const questions = [ // QuestionOut
      { id: 61, disclosure_id: DID, body: '保洁费为什么比上月多？', asked_at: '2026-03-04T08:00:00+08:00',
        due_at: '2026-03-24T08:00:00+08:00', answer: '本月新增两次集中清运。', answered_at: '2026-03-06T09:00:00+08:00',
        status: 'answered', held_for_review: false },
      { id: 62, disclosure_id: DID, body: '租金什么时候到账的？', asked_at: '2026-03-05T08:00:00+08:00',
        due_at: '2026-03-25T08:00:00+08:00', answer: null, answered_at: null, status: 'open', held_for_review: false },
    ]
    const comp = open(PAGE, { code: CODE, id: String(DID) }, route({ detail: detailOf(version()), questions }))
    await waitFor(() => !comp.data.view.loading && comp.data.phone)

    expect(texts(comp, '.question-body')).toEqual(['问：保洁费为什么比上月多？'])
    expect(texts(comp, '.question-answer')).toEqual(['答：本月新增两次集中清运。'])
    expect(text(comp, '.msg-waiting')).toBe('另有 1 条质询正在等村里答复。')

    await tap(call(comp), '.call-btn')
    expect(wx.makePhoneCall.mock.calls[0][0].phoneNumber).toBe('057188001234')
    await tap(comp, '.ask-btn')
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/question-ask/question-ask?code=${encodeURIComponent(CODE)}` +
      `&id=${DID}&title=${encodeURIComponent('2026年2月财务收支公开')}` })
  })

  test('without a supervision phone the page says so; opened from the remembered door', async () => {
    const comp = open(PAGE, { id: String(DID) }, route({ detail: detailOf(version()), landingBody: landing(LATEST, null) }),
      { household: CODE })
    await waitFor(() => !comp.data.view.loading && comp.data.township)
    expect(call(comp).querySelector('.call-btn')).toBeFalsy()
    expect(text(call(comp), '.call-missing')).toBe('清河镇纪委的监督电话还没有登记，可以到镇政府当面反映。')
  })
})
