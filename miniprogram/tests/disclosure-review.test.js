// The village supervision committee (村务监督委员会): 待审核, and the review page — what villagers
// will read, what changed since the committee returned it (or against what is public, for a
// correction), 通过并公开 and 退回修改 each after a confirmation in plain words.
// Every fixture is checked against the backend's OpenAPI document.
const { apiAnswer, apiError, loaded, pageState, waitFor, text, texts, tap, type } = require('./helpers')
const fx = require('./disclosure-fixtures')
const { saved } = require('./wx-files')

const { ITEMS, VILLAGE, BASE } = fx
let wx
let route

function open(page, options, table) {
  let comp
  ;({ comp, wx, route } = fx.openAs('committee-tok', page, options, table))
  return comp
}

const posts = () => wx.request.mock.calls.map(([o]) => o).filter(o => o.method === 'POST')
const answerModal = confirm => wx.showModal.mockImplementationOnce(o => setTimeout(() => o.success({ confirm, cancel: !confirm }), 0))

beforeEach(() => {
  jest.resetModules()
})

afterEach(() => {
  expect(route.unmatched).toEqual([])
})

// Returned with a comment, edited (保洁费 1200 → 1020, a contract attached, a line of text changed),
// and submitted again.
const LAST_RETURNED = {
  title: '2026年2月财务收支情况公开',
  body: '本月收支如下。\n请村民监督。',
  line_items: fx.ROWS,
  attachment_ids: [91],
  comment: '保洁费请附合同，金额核对',
}
const RESUBMITTED = fx.version({
  status: 'in_review',
  submitted_at: '2026-03-02T10:00:00+08:00',
  review_comment: '保洁费请附合同，金额核对',
  body: '本月收支如下，保洁合同附后。\n请村民监督。',
  line_items: [{ label: '村道保洁费', income_fen: 0, expense_fen: 102000 }, { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 }],
  attachments: [fx.attachment(), fx.attachment({ id: 92, filename: '保洁合同.pdf', media_type: 'application/pdf' })],
  last_returned: LAST_RETURNED,
})

describe('待审核 (pages/review-list)', () => {
  test('what waits for the committee, oldest submission first; a resubmission is marked', async () => {
    const base = `/villages/${VILLAGE}/disclosures`
    const first = fx.disclosure([fx.version({ id: 305, disclosure_id: 35, status: 'in_review', title: '2025年第四季度党费收缴使用公开',
      line_items: null, submitted_at: '2026-02-20T09:00:00+08:00' })], { id: 35, item: ITEMS.party, period: '2025-Q4' })
    const comp = open('pages/review-list/review-list', { village: String(VILLAGE), name: encodeURIComponent('下林村') }, [
      ['GET', base, fx.answer('GET', base, 200, [fx.disclosure([RESUBMITTED]), first])],
    ])
    await loaded(comp)

    expect(wx.request.mock.calls[0][0]).toMatchObject({ url: BASE + base, data: { stage: 'in_review', per_page: 200 } })
    expect(text(comp, '.title')).toBe('待审核的公开 · 下林村')
    expect(texts(comp, '.review-row .card-title')).toEqual(['2025年第四季度党费收缴使用公开', '2026年2月财务收支情况公开'])
    expect(texts(comp, '.review-row .card-sub')).toEqual(['提交于 2026年2月20日 09:00', '提交于 2026年3月2日 10:00'])
    expect(texts(comp, '.msg-resubmitted')).toEqual(['退回后重新提交'])
    await tap(comp, '.review-row', 1)
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/review/review?id=31' })
  })

  test('nothing waiting: a plain sentence', async () => {
    const base = `/villages/${VILLAGE}/disclosures`
    const comp = open('pages/review-list/review-list', { village: String(VILLAGE) }, [['GET', base, fx.answer('GET', base, 200, [])]])
    await loaded(comp)
    expect(comp.data.view.empty).toBe(true)
    expect(text(pageState(comp), '.msg-empty')).toBe('现在没有要审核的公开内容。')
  })
})

describe('the review page (pages/review)', () => {
  const PAGE = 'pages/review/review'

  const photo = ['DOWNLOAD', '/disclosure-attachments/91', () => saved('wxfile://tmp/receipt.jpg')]

  function reviewTable(d, extra = []) {
    return [['GET', '/disclosures/31', fx.answer('GET', '/disclosures/31', 200, d)], photo].concat(extra)
  }

  test('a resubmission: what changed since it was returned, then what villagers will read', async () => {
    const comp = open(PAGE, { id: '31' }, reviewTable(fx.disclosure([RESUBMITTED])))
    await loaded(comp)

    expect(text(comp, '.changes .label')).toBe('和上次退回时相比，改了这些')
    expect(text(comp, '.msg-last-comment')).toBe('上次退回意见：保洁费请附合同，金额核对')
    expect(comp.querySelector('.change-title')).toBeFalsy()
    expect(texts(comp, '.change-body .body-line')).toEqual(['删了：本月收支如下。', '加了：本月收支如下，保洁合同附后。'])
    expect(texts(comp, '.change-row .removed')).toEqual(['原来：支出 1,200.00 元'])
    expect(texts(comp, '.change-row .added')).toEqual(['现在：支出 1,020.00 元'])
    expect(texts(comp, '.change-row .card-sub')).toEqual(['收支明细 · 村道保洁费'])
    expect(texts(comp, '.change-totals .added')).toEqual(['现在：收入 35,000.00 元，支出 1,020.00 元'])
    expect(texts(comp, '.change-attachment')).toEqual(['新加附件：保洁合同.pdf'])

    // the same rendering villagers get (components/disclosure-view), the draft's photo fetched with
    // the committee member's session and shown inline (tap: full screen)
    const view = comp.querySelector('.disclosure-view')
    expect(text(view, '.dv-title')).toBe('2026年2月财务收支情况公开')
    expect(texts(view, '.dv-expense-row .dv-amount')).toEqual(['1,020.00'])
    expect(texts(view, '.dv-income-row .dv-amount')).toEqual(['35,000.00'])
    await waitFor(() => view.querySelector('.dv-image'))
    expect(wx.downloadFile.mock.calls[0][0]).toMatchObject({ url: BASE + '/disclosure-attachments/91', header: { Authorization: 'Bearer committee-tok' } })
    view.querySelector('.dv-image-box').dispatchEvent('tap')
    await waitFor(() => wx.previewImage.mock.calls.length === 1)
    expect(wx.previewImage.mock.calls[0][0]).toMatchObject({ current: 'wxfile://tmp/receipt.jpg' })
    expect(texts(view, '.dv-file-name')).toEqual(['📄 保洁合同.pdf'])
  })

  test('通过并公开 asks in plain words first; 再看看 sends nothing; 通过 publishes', async () => {
    const published = Object.assign({}, RESUBMITTED, { status: 'published', published_at: '2026-03-02T11:00:00+08:00', content_hash: 'c'.repeat(64) })
    const comp = open(PAGE, { id: '31' }, reviewTable(fx.disclosure([RESUBMITTED]), [
      ['POST', '/disclosure-versions/301/approve', fx.answer('POST', '/disclosure-versions/301/approve', 200, published)],
    ]))
    await loaded(comp)

    answerModal(false)
    await comp.instance.onApprove() // what the tap runs
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({
      title: '通过并公开',
      content: '通过后，这条内容马上向全村公开，以后不能再改（有错只能更正）。确定通过吗？',
      confirmText: '通过并公开',
      cancelText: '再看看',
    })
    expect(posts()).toHaveLength(0)

    answerModal(true)
    await type(comp, '.comment-input', ' 同意公开 ')
    await comp.instance.onApprove()
    expect(posts()[0]).toMatchObject({ url: BASE + '/disclosure-versions/301/approve', data: { comment: '同意公开' } })
    expect(text(comp, '.msg-done')).toBe('已通过，已向全村公开。')
    expect(comp.querySelector('.approve-btn')).toBeFalsy()
    expect(comp.querySelector('.return-btn')).toBeFalsy()
    await tap(comp, '.back-btn')
    expect(wx.navigateBack).toHaveBeenCalled()
  })

  test('退回修改 needs the comments, asks first, then sends them', async () => {
    const returned = Object.assign({}, RESUBMITTED, {
      status: 'returned', review_comment: '合同金额与明细不一致',
      last_returned: Object.assign({}, LAST_RETURNED, { body: RESUBMITTED.body, comment: '合同金额与明细不一致' }),
    })
    const comp = open(PAGE, { id: '31' }, reviewTable(fx.disclosure([RESUBMITTED]), [
      ['POST', '/disclosure-versions/301/return', fx.answer('POST', '/disclosure-versions/301/return', 200, returned)],
    ]))
    await loaded(comp)

    await tap(comp, '.return-btn')
    expect(text(comp, '.msg-comment-error')).toBe('退回时请写明要怎么改，村干部会看到')
    expect(wx.showModal).not.toHaveBeenCalled()
    await type(comp, '.comment-input', '合同金额与明细不一致')
    answerModal(true)
    await comp.instance.onReturn()
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({
      title: '退回修改',
      content: '这条内容不会公开，会退回给村干部按您的意见修改后再提交。确定退回吗？',
      confirmText: '退回',
      cancelText: '再看看',
    })
    expect(posts()[0]).toMatchObject({ url: BASE + '/disclosure-versions/301/return', data: { comment: '合同金额与明细不一致' } })
    expect(text(comp, '.msg-done')).toBe('已退回，村干部会按您的意见修改后再提交。')
  })

  test('a correction is compared with what villagers read now, its public reason on top', async () => {
    const current = fx.publicVersion({ id: 303 })
    const correction = fx.version({
      id: 304, number: 2, status: 'in_review', submitted_at: '2026-03-02T10:00:00+08:00', correction_reason: '保洁费金额录入有误',
      line_items: [{ label: '村道保洁费', income_fen: 0, expense_fen: 102000 }, { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 }],
    })
    const d = fx.disclosure([fx.version({ id: 303, status: 'published', published_at: current.published_at }), correction], { current })
    const comp = open(PAGE, { id: '31' }, reviewTable(d))
    await loaded(comp)
    expect(text(comp, '.text')).toBe('财务收支情况 · 2026年2月（更正）')
    expect(text(comp, '.changes .label')).toBe('和现在公开的内容相比，改了这些')
    expect(text(comp, '.msg-correction-reason')).toBe('更正理由：保洁费金额录入有误')
    expect(texts(comp, '.change-row .added')).toEqual(['现在：支出 1,020.00 元'])
    expect(comp.querySelector('.msg-last-comment')).toBeFalsy()
  })

  test('a first submission has nothing to compare with', async () => {
    const first = fx.version({ status: 'in_review', submitted_at: '2026-03-02T10:00:00+08:00' })
    const comp = open(PAGE, { id: '31' }, reviewTable(fx.disclosure([first])))
    await loaded(comp)
    expect(comp.querySelector('.changes')).toBeFalsy()
    expect(comp.querySelector('.approve-btn')).toBeTruthy()
  })

  test('reviewed meanwhile by another member (409): says so; 刷新 shows nothing waits any more', async () => {
    let loads = 0
    const after = Object.assign({}, RESUBMITTED, { status: 'published', published_at: '2026-03-02T11:00:00+08:00', content_hash: 'c'.repeat(64) })
    const current = fx.publicVersion({ body: RESUBMITTED.body, line_items: RESUBMITTED.line_items, attachments: RESUBMITTED.attachments })
    const comp = open(PAGE, { id: '31' }, [
      ['GET', '/disclosures/31', () => apiAnswer('GET', '/disclosures/31', 200,
        ++loads === 1 ? fx.disclosure([RESUBMITTED]) : fx.disclosure([after], { current }))],
      ['POST', '/disclosure-versions/301/approve', () => apiError(409, 'version_not_in_review', '该内容不在待审核状态')],
      photo,
    ])
    await loaded(comp)
    answerModal(true)
    await comp.instance.onApprove()
    expect(text(comp, '.msg-conflict')).toBe('这条内容刚刚被别人审核过了，请刷新后再看')
    await tap(comp, '.refresh-btn')
    await waitFor(() => loads === 2 && !comp.data.view.loading)
    expect(text(comp, '.msg-not-reviewing')).toBe('这条内容现在没有等待审核（已公开）。')
    expect(comp.querySelector('.approve-btn')).toBeFalsy()
  })

  test('one’s own draft cannot be approved: the server’s words are shown', async () => {
    const comp = open(PAGE, { id: '31' }, reviewTable(fx.disclosure([RESUBMITTED]), [
      ['POST', '/disclosure-versions/301/approve', () => apiError(403, 'own_draft', '不能审核自己起草的内容', undefined,
        { method: 'POST', path: '/disclosure-versions/301/approve' })],
    ]))
    await loaded(comp)
    answerModal(true)
    await comp.instance.onApprove()
    expect(text(comp, '.msg-action-error')).toBe('不能审核自己起草的内容')
    expect(comp.querySelector('.approve-btn')).toBeTruthy()
  })
})
