// A village cadre's disclosure work: the statutory calendar in colours, 新建公开 from the catalogue,
// the draft → submit → returned with comments → edit → resubmit loop (finance rows typed in 元, sent
// in fen, totals as typed; attachments with progress), 更正, answering villagers' questions, and the
// entries on "me". Every fixture is checked against the backend's OpenAPI document.
const { askPrivacy, apiAnswer, apiError, loaded, pageState, waitFor, text, texts, tap, type } = require('./helpers')
const fx = require('./disclosure-fixtures')
const { saved } = require('./wx-files')

const { ITEMS, VILLAGE, TOWNSHIP, BASE } = fx
let wx
let route

function open(page, options, table) {
  let comp
  ;({ comp, wx, route } = fx.openAs('cadre-tok', page, options, table))
  return comp
}

const sent = method => wx.request.mock.calls.map(([o]) => o).filter(o => (o.method || 'GET') === method)
const confirmModals = () => wx.showModal.mockImplementation(o => setTimeout(() => o.success({ confirm: true, cancel: false }), 0))

async function typeAt(comp, selector, index, value) {
  const node = comp.querySelectorAll(selector)[index]
  if (!node) throw new Error(`nothing to type into: ${selector}[${index}]`)
  node.dispatchEvent('input', { detail: { value } })
  await new Promise(resolve => setTimeout(resolve, 0))
}

beforeEach(() => {
  jest.resetModules()
})

afterEach(() => {
  expect(route.unmatched).toEqual([])
})

describe('公开事项 (pages/disclosure-work)', () => {
  const PAGE = 'pages/disclosure-work/disclosure-work'
  const options = { village: String(VILLAGE), township: String(TOWNSHIP), name: encodeURIComponent('下林村') }
  const base = `/villages/${VILLAGE}`

  function table({ drafting = [], published = [], questions = [] } = {}) {
    return [
      ['GET', base + '/calendar', fx.answer('GET', base + '/calendar', 200, [
        fx.calendarRow(ITEMS.finance, '2025-12', '2026-01-20', 'on_time', '2026-01-12'),
        fx.calendarRow(ITEMS.party, '2025-Q4', '2026-01-20', 'published_late', '2026-02-03'),
        fx.calendarRow(ITEMS.finance, '2026-01', '2026-02-20', 'overdue'),
        fx.calendarRow(ITEMS.finance, '2026-02', '2026-03-20', 'due'),
      ])],
      ['GET', base + '/disclosures', opts => (opts.data.stage === 'drafting'
        ? fx.answer('GET', base + '/disclosures', 200, drafting)()
        : fx.answer('GET', base + '/disclosures', 200, published)())],
      ['GET', base + '/disclosure-questions', fx.answer('GET', base + '/disclosure-questions', 200, questions)],
    ]
  }

  test('the calendar: late and missing in red, due in amber, done in green or orange — in words too', async () => {
    const comp = open(PAGE, options, table({
      questions: [fx.question(), fx.question({ id: 72, status: 'overdue', due_at: '2026-02-28T09:00:00+08:00' }),
        fx.question({ id: 73, status: 'answered', answer: '已答复', answered_at: '2026-02-27T10:00:00+08:00' })],
    }))
    await loaded(comp)

    const lists = wx.request.mock.calls.map(([o]) => o).filter(o => o.url === BASE + base + '/disclosures')
    expect(lists.map(o => o.data)).toEqual([{ stage: 'drafting', per_page: 200 }, { stage: 'published', per_page: 200 }])
    expect(text(comp, '.title')).toBe('公开事项 · 下林村')
    expect(text(comp, '.msg-overdue')).toBe('有 1 项已过公开期限，请尽快公开。')
    const todo = comp.querySelectorAll('.calendar-todo')
    expect(todo.map(n => n.dom.className.match(/tone-\w+/)[0])).toEqual(['tone-red', 'tone-amber'])
    expect(texts(comp, '.calendar-todo .status')).toEqual([
      '已过期限，还没公开，期限 2026年2月20日',
      '还没公开，期限 2026年3月20日',
    ])
    const done = comp.querySelectorAll('.calendar-done')
    expect(done.map(n => n.dom.className.match(/tone-\w+/)[0])).toEqual(['tone-green', 'tone-orange'])
    expect(texts(comp, '.calendar-done .status')).toEqual([
      '已按时公开：2026年1月12日（期限 2026年1月20日）',
      '已公开（超过期限）：2026年2月3日（期限 2026年1月20日）',
    ])
    expect(text(comp, '.questions-btn')).toBe('村民质询（2 条待答复，1 条已超期）')

    await tap(comp, '.calendar-todo', 0) // nothing drafted for it yet: a new one for that period
    expect(wx.navigateTo).toHaveBeenLastCalledWith({
      url: `/pages/disclosure-edit/disclosure-edit?village=${VILLAGE}&township=${TOWNSHIP}&item=11&period=2026-01`,
    })
    await tap(comp, '.new-btn')
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/disclosure-new/disclosure-new?village=${VILLAGE}&township=${TOWNSHIP}` })
    await tap(comp, '.questions-btn')
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/village-questions/village-questions?village=${VILLAGE}` })
  })

  test('drafts: a returned one shows the committee’s comment; published ones offer 更正', async () => {
    const returned = fx.disclosure([fx.version({ status: 'returned', review_comment: '保洁费请附合同', submitted_at: '2026-02-24T09:00:00+08:00' })], { period: '2026-01' })
    const current = fx.publicVersion({ id: 303, disclosure_id: 33 })
    const published = fx.disclosure([fx.version({ id: 303, disclosure_id: 33, status: 'published', published_at: current.published_at })], { id: 33, period: '2025-12', current })
    const comp = open(PAGE, options, table({ drafting: [returned], published: [published] }))
    await loaded(comp)

    await tap(comp, '.tab-drafting')
    expect(texts(comp, '.draft-status')).toEqual(['被退回，请按意见修改'])
    expect(text(comp, '.draft-comment')).toBe('监委会意见：保洁费请附合同')
    await tap(comp, '.draft-row')
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/disclosure-edit/disclosure-edit?id=31&village=${VILLAGE}&township=${TOWNSHIP}` })

    // the calendar row of a period being drafted opens that draft rather than a second one
    await tap(comp, '.tab-calendar')
    await tap(comp, '.calendar-todo', 0)
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/disclosure-edit/disclosure-edit?id=31&village=${VILLAGE}&township=${TOWNSHIP}` })

    await tap(comp, '.tab-published')
    expect(texts(comp, '.published-row .card-title')).toEqual(['2026年2月财务收支情况公开'])
    expect(texts(comp, '.published-row .row-go')).toEqual(['发现错误，去更正 ›'])
    await tap(comp, '.published-row')
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/disclosure-correct/disclosure-correct?id=33&village=${VILLAGE}&township=${TOWNSHIP}` })
  })
})

describe('新建公开 (pages/disclosure-new)', () => {
  test('items from the township’s catalogue, the missing ones first; the oldest missing period proposed', async () => {
    const calendar = [
      fx.calendarRow(ITEMS.finance, '2026-01', '2026-02-20', 'overdue'),
      fx.calendarRow(ITEMS.finance, '2026-02', '2026-03-20', 'due'),
    ]
    const comp = open('pages/disclosure-new/disclosure-new', { village: String(VILLAGE), township: String(TOWNSHIP) }, [
      ['GET', `/townships/${TOWNSHIP}/catalogue`, fx.answer('GET', `/townships/${TOWNSHIP}/catalogue`, 200, [ITEMS.lease, ITEMS.finance, ITEMS.party])],
      ['GET', `/villages/${VILLAGE}/calendar`, fx.answer('GET', `/villages/${VILLAGE}/calendar`, 200, calendar)],
    ])
    await loaded(comp)
    expect(texts(comp, '.label')).toEqual(['财务', '党务'])
    expect(texts(comp, '.item-row .card-title')).toEqual(['财务收支情况', '资产资源发包、租赁、出让', '党费收缴使用'])
    expect(texts(comp, '.item-row .status')).toEqual(['有 2 期还没公开'])

    await tap(comp, '.item-row', 0)
    expect(text(comp, '.period-box')).toBe('2026年1月（点这里换一期）')
    expect(text(comp, '.msg-due')).toBe('已过期限，还没公开，期限 2026年2月20日')
    await tap(comp, '.start-btn')
    expect(wx.redirectTo).toHaveBeenLastCalledWith({
      url: `/pages/disclosure-edit/disclosure-edit?village=${VILLAGE}&township=${TOWNSHIP}&item=11&period=2026-01`,
    })
  })
})

describe('writing a disclosure (pages/disclosure-edit)', () => {
  const PAGE = 'pages/disclosure-edit/disclosure-edit'
  const catalogue = ['GET', `/townships/${TOWNSHIP}/catalogue`, fx.answer('GET', `/townships/${TOWNSHIP}/catalogue`, 200, [ITEMS.finance, ITEMS.party])]

  // wx.uploadFile whose progress and end the test drives: uploads[i].progress(40), .finish()
  function controlledUploads() {
    const uploads = []
    wx.uploadFile.mockImplementation(opts => {
      const listeners = []
      uploads.push({
        opts,
        progress: p => listeners.forEach(fn => fn({ progress: p, totalBytesSent: p, totalBytesExpectedToSend: 100 })),
        finish: () => {
          const res = route(opts)
          opts.success({ statusCode: res.statusCode, data: JSON.stringify(res.data) })
        },
      })
      return { onProgressUpdate: fn => listeners.push(fn), abort: jest.fn() }
    })
    return uploads
  }

  test('draft → 保存 → photo with progress → 提交审核: amounts typed in 元 are sent in fen with their totals', async () => {
    const draft = fx.version()
    const comp = open(PAGE, { village: String(VILLAGE), township: String(TOWNSHIP), item: '11', period: '2026-02' }, [
      catalogue,
      ['POST', '/disclosures', fx.answer('POST', '/disclosures', 201, draft)],
      ['PATCH', '/disclosure-versions/301', fx.answer('PATCH', '/disclosure-versions/301', 200, fx.version({ attachments: [fx.attachment()] }))],
      ['UPLOAD', '/disclosure-versions/301/attachments', fx.answer('POST', '/disclosure-versions/301/attachments', 201, fx.attachment())],
      ['POST', '/disclosure-versions/301/submit', fx.answer('POST', '/disclosure-versions/301/submit', 200,
        fx.version({ status: 'in_review', submitted_at: '2026-03-02T10:00:00+08:00', attachments: [fx.attachment()] }))],
      ['DOWNLOAD', '/disclosure-attachments/91', () => saved('wxfile://tmp/receipt.jpg')],
    ])
    await loaded(comp)
    const uploads = controlledUploads()

    expect(text(comp, '.title')).toBe('财务收支情况')
    expect(text(comp, '.msg-status')).toBe('新建，还没保存')
    expect(comp.data.title).toBe('2026年2月财务收支情况公开')
    expect(comp.querySelectorAll('.money-row')).toHaveLength(1)

    await typeAt(comp, '.row-label', 0, '村道保洁费')
    await typeAt(comp, '.row-amount', 0, '12.345')
    expect(text(comp, '.row-error')).toBe('金额最多填到分（小数点后两位）')
    expect(text(comp, '.msg-expense-total')).toBe('0.00')
    await typeAt(comp, '.row-amount', 0, '1200')
    expect(comp.querySelector('.row-error')).toBeFalsy()
    await tap(comp, '.add-row-btn')
    await typeAt(comp, '.row-label', 1, '厂房租金收入')
    await tap(comp, '.kind-income', 1)
    await typeAt(comp, '.row-amount', 1, '35000')
    expect(text(comp, '.msg-income-total')).toBe('35,000.00')
    expect(text(comp, '.msg-expense-total')).toBe('1,200.00')

    await tap(comp, '.save-btn') // no body yet: nothing sent
    expect(text(comp, '.msg-body-error')).toBe('请填写公开的内容')
    expect(sent('POST')).toHaveLength(0)
    await type(comp, '.body-input', '本月收支如下。')
    await tap(comp, '.save-btn')
    await waitFor(() => sent('POST').length === 1 && !comp.data.busy)
    expect(sent('POST')[0]).toMatchObject({
      url: BASE + '/disclosures',
      data: {
        village_id: VILLAGE, item_type_id: 11, period: '2026-02', title: '2026年2月财务收支情况公开', body: '本月收支如下。',
        line_items: [
          { label: '村道保洁费', income_fen: 0, expense_fen: 120000 },
          { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 },
        ],
        totals: { income_fen: 3500000, expense_fen: 120000 },
      },
    })
    expect(text(comp, '.msg-status')).toBe('草稿，还没提交审核')

    wx.chooseMedia.mockImplementation(o => setTimeout(() => o.success({ tempFiles: [{ tempFilePath: 'wxfile://tmp/receipt.jpg', size: 20480 }] }), 0))
    await tap(comp, '.add-photo-btn')
    await waitFor(() => uploads.length === 1)
    expect(uploads[0].opts).toMatchObject({ url: BASE + '/disclosure-versions/301/attachments', filePath: 'wxfile://tmp/receipt.jpg', name: 'file' })
    expect(uploads[0].opts.header.Authorization).toBe('Bearer cadre-tok')
    uploads[0].progress(40)
    await waitFor(() => text(comp, '.attachment-progress') === '正在上传 40%')
    expect(comp.querySelector('.bar-fill').dom.getAttribute('style')).toMatch(/width: ?40%/)
    uploads[0].finish()
    await waitFor(() => comp.data.attachments[0].status === 'done')
    expect(text(comp, '.attachment-name')).toBe('照片：收据.jpg')
    expect(comp.querySelector('.attachment-progress')).toBeFalsy()

    wx.showModal.mockImplementationOnce(o => setTimeout(() => o.success({ confirm: false, cancel: true }), 0))
    await comp.instance.onSubmit() // 再看看: nothing sent
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '提交审核', content: '提交后由村务监督委员会审核，审核期间不能再修改。确定提交吗？' })
    expect(sent('PATCH')).toHaveLength(0)

    confirmModals()
    await comp.instance.onSubmit()
    expect(sent('PATCH')[0].data.totals).toEqual({ income_fen: 3500000, expense_fen: 120000 })
    expect(sent('POST').map(o => o.url)).toEqual([BASE + '/disclosures', BASE + '/disclosure-versions/301/submit'])
    expect(text(comp, '.msg-status')).toBe('等村务监督委员会审核')
    expect(comp.querySelector('.submit-btn')).toBeFalsy()
    expect(comp.querySelector('.title-input')).toBeFalsy()
    const view = comp.querySelector('.disclosure-view') // as villagers will read it
    expect(text(view, '.dv-title')).toBe('2026年2月财务收支情况公开')
    expect(texts(view, '.dv-expense-row .dv-amount')).toEqual(['1,200.00'])
  })

  test('returned with comments → edited → resubmitted; the server’s total check is shown under the totals', async () => {
    const returned = fx.version({
      status: 'returned', review_comment: '保洁费请附合同，金额核对', submitted_at: '2026-02-24T09:00:00+08:00',
      attachments: [fx.attachment()],
      last_returned: { title: '2026年2月财务收支情况公开', body: '本月收支如下。', line_items: fx.ROWS, attachment_ids: [91], comment: '保洁费请附合同，金额核对' },
    })
    const resubmitted = Object.assign({}, returned, { status: 'in_review', submitted_at: '2026-03-02T10:00:00+08:00' })
    let patches = 0
    const comp = open(PAGE, { id: '31', village: String(VILLAGE), township: String(TOWNSHIP) }, [
      ['GET', '/disclosures/31', fx.answer('GET', '/disclosures/31', 200, fx.disclosure([returned]))],
      ['PATCH', '/disclosure-versions/301', () => (++patches === 1
        ? apiError(422, 'totals_mismatch', '合计金额与明细之和不符，请核对', { totals: { expense_fen: ['合计应为 1020.00 元'] } },
          { method: 'PATCH', path: '/disclosure-versions/301' })
        : apiAnswer('PATCH', '/disclosure-versions/301', 200, Object.assign({}, returned, { status: 'draft' })))],
      ['POST', '/disclosure-versions/301/submit', fx.answer('POST', '/disclosure-versions/301/submit', 200, resubmitted)],
      ['DOWNLOAD', '/disclosure-attachments/91', () => saved('wxfile://tmp/receipt.jpg')],
    ])
    await loaded(comp)

    expect(text(comp, '.msg-status')).toBe('被退回，请按意见修改')
    expect(text(comp, '.msg-comment')).toBe('村务监督委员会的退回意见保洁费请附合同，金额核对')
    expect(comp.data.rows.map(r => [r.label, r.kind, r.yuan])).toEqual([['村道保洁费', 'expense', '1200.00'], ['厂房租金收入', 'income', '35000.00']])
    expect(text(comp, '.attachment-name')).toBe('照片：收据.jpg')

    await typeAt(comp, '.row-amount', 0, '1020')
    expect(text(comp, '.msg-expense-total')).toBe('1,020.00')
    confirmModals()
    await comp.instance.onSubmit()
    // the server's check disagreed (a stand-in for any disagreement): shown, nothing submitted
    expect(sent('PATCH')[0].data).toMatchObject({
      line_items: [{ label: '村道保洁费', income_fen: 0, expense_fen: 102000 }, { label: '厂房租金收入', income_fen: 3500000, expense_fen: 0 }],
      totals: { income_fen: 3500000, expense_fen: 102000 },
    })
    expect(text(comp, '.msg-totals-error')).toBe('合计应为 1020.00 元')
    expect(text(comp, '.msg-form-error')).toBe('合计金额与明细之和不符，请核对')
    expect(sent('POST')).toHaveLength(0)

    await comp.instance.onSubmit()
    expect(sent('PATCH')).toHaveLength(2)
    expect(sent('POST').map(o => o.url)).toEqual([BASE + '/disclosure-versions/301/submit'])
    expect(text(comp, '.msg-status')).toBe('等村务监督委员会审核')
    expect(comp.querySelector('.msg-comment')).toBeFalsy()
  })

  test('a draft someone else submitted meanwhile (409): says so and 刷新 shows it as it is', async () => {
    let loads = 0
    const draft = fx.disclosure([fx.version()])
    const inReview = fx.disclosure([fx.version({ status: 'in_review', submitted_at: '2026-03-02T10:00:00+08:00' })])
    const comp = open(PAGE, { id: '31' }, [
      ['GET', '/disclosures/31', () => apiAnswer('GET', '/disclosures/31', 200, ++loads === 1 ? draft : inReview)],
      ['PATCH', '/disclosure-versions/301', () => apiError(409, 'version_not_editable', '已提交审核或已公开的内容不能修改；已公开的内容请发起更正')],
    ])
    await loaded(comp)
    await type(comp, '.title-input', '二月收支')
    await tap(comp, '.save-btn')
    await waitFor(() => comp.data.conflict)
    expect(text(comp, '.msg-conflict')).toBe('已提交审核或已公开的内容不能修改；已公开的内容请发起更正')
    await tap(comp, '.refresh-btn')
    await waitFor(() => loads === 2 && !comp.data.view.loading)
    expect(text(comp, '.msg-status')).toBe('等村务监督委员会审核')
    expect(comp.querySelector('.msg-conflict')).toBeFalsy()
    expect(comp.querySelector('.title-input')).toBeFalsy()
  })

  test('a period another cadre started meanwhile: the server’s words, the form kept', async () => {
    const comp = open(PAGE, { village: String(VILLAGE), township: String(TOWNSHIP), item: '12', period: '2025-Q4' }, [
      catalogue,
      ['POST', '/disclosures', () => apiError(409, 'disclosure_exists', '本期该事项已有公开记录，请在原记录上修改或更正')],
    ])
    await loaded(comp)
    expect(comp.querySelector('.money-row')).toBeFalsy() // 党务: no finance table
    await type(comp, '.body-input', '本季度收缴党费情况如下。')
    await tap(comp, '.save-btn')
    await waitFor(() => sent('POST').length === 1 && !comp.data.busy)
    expect(text(comp, '.msg-form-error')).toBe('本期该事项已有公开记录，请在原记录上修改或更正')
    expect(comp.querySelector('.msg-conflict')).toBeFalsy()
    expect(comp.data.body).toBe('本季度收缴党费情况如下。')
  })

  test('a PDF from a chat that fails the server’s check: the reason shown, 再传一次 or drop it', async () => {
    let tries = 0
    const comp = open(PAGE, { id: '31' }, [
      ['GET', '/disclosures/31', fx.answer('GET', '/disclosures/31', 200, fx.disclosure([fx.version({ line_items: null })], { item: ITEMS.party, period: '2025-Q4' }))],
      ['UPLOAD', '/disclosure-versions/301/attachments', () => (++tries === 1
        ? apiError(422, 'file_active_content', '文件里有自动运行的内容（JavaScript），请用 WPS 或 Office“导出为 PDF”后再上传',
          undefined, { method: 'POST', path: '/disclosure-versions/301/attachments' })
        : apiAnswer('POST', '/disclosure-versions/301/attachments', 201, fx.attachment({ id: 92, filename: '会议记录.pdf', media_type: 'application/pdf' })))],
      ['DOWNLOAD', '/disclosure-attachments/92', () => saved('wxfile://tmp/dl.pdf')],
    ])
    await loaded(comp)
    expect(comp.querySelector('.money-row')).toBeFalsy() // 党务: no finance table
    wx.chooseMessageFile.mockImplementation(o => setTimeout(() => o.success({ tempFiles: [{ path: 'wxfile://tmp/x.pdf', name: '会议记录.pdf', size: 1000 }] }), 0))
    await tap(comp, '.add-pdf-btn')
    expect(wx.chooseMessageFile.mock.calls[0][0]).toMatchObject({ type: 'file', extension: ['pdf'] })
    await waitFor(() => comp.data.attachments.length === 1 && comp.data.attachments[0].status === 'failed')
    expect(text(comp, '.attachment-error')).toBe('没传上：文件里有自动运行的内容（JavaScript），请用 WPS 或 Office“导出为 PDF”后再上传')
    await tap(comp, '.retry-upload-btn')
    await waitFor(() => comp.data.attachments[0].status === 'done')
    expect(text(comp, '.attachment-name')).toBe('文件：会议记录.pdf')

    // opening it: downloaded with the session, then shown by the phone's document viewer
    await comp.instance.onOpenAttachment({ currentTarget: { dataset: { key: comp.data.attachments[0].key } } })
    expect(wx.downloadFile.mock.calls[0][0]).toMatchObject({ url: BASE + '/disclosure-attachments/92', header: { Authorization: 'Bearer cadre-tok' } })
    expect(wx.openDocument.mock.calls[0][0]).toMatchObject({ filePath: 'wxfile://tmp/dl.pdf', fileType: 'pdf' })
  })

  test('the privacy panel (photos, PDF files) agrees through the button WeChat requires', async () => {
    const comp = open(PAGE, { id: '31' }, [
      ['GET', '/disclosures/31', fx.answer('GET', '/disclosures/31', 200, fx.disclosure([fx.version()]))],
    ])
    await loaded(comp)
    const resolve = askPrivacy(comp, 'chooseMessageFile')
    await waitFor(() => comp.querySelector('.privacy-consent'))
    const panel = comp.querySelector('.privacy-consent')
    expect(panel.querySelector('#agree-privacy')).toBeTruthy()
    panel.querySelector('.agree-privacy-btn').dispatchEvent('agreeprivacyauthorization')
    await waitFor(() => !comp.data.privacyVisible)
    expect(resolve).toHaveBeenLastCalledWith({ event: 'agree', buttonId: 'agree-privacy' })
    expect(comp.querySelector('.privacy-consent')).toBeFalsy()
    delete global.getCurrentPages
  })
})

describe('更正 (pages/disclosure-correct)', () => {
  test('a public reason first; the correction then opens to be edited', async () => {
    const current = fx.publicVersion({ id: 303, disclosure_id: 33 })
    const published = fx.disclosure([fx.version({ id: 303, disclosure_id: 33, status: 'published', published_at: current.published_at })], { id: 33, current })
    const comp = open('pages/disclosure-correct/disclosure-correct', { id: '33', village: String(VILLAGE), township: String(TOWNSHIP) }, [
      ['GET', '/disclosures/33', fx.answer('GET', '/disclosures/33', 200, published)],
      ['POST', '/disclosures/33/corrections', fx.answer('POST', '/disclosures/33/corrections', 201,
        fx.version({ id: 304, disclosure_id: 33, number: 2, correction_reason: '保洁费金额录入有误' }))],
    ])
    await loaded(comp)
    expect(text(comp, '.title')).toBe('更正：2026年2月财务收支情况公开')
    await tap(comp, '.start-btn')
    expect(text(comp, '.msg-error-reason')).toBe('请写明为什么更正，村民会看到这个理由')
    await type(comp, '.reason-input', ' 保洁费金额录入有误 ')
    await tap(comp, '.start-btn')
    await waitFor(() => wx.redirectTo.mock.calls.length === 1)
    expect(sent('POST')[0]).toMatchObject({ url: BASE + '/disclosures/33/corrections', data: { reason: '保洁费金额录入有误' } })
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: `/pages/disclosure-edit/disclosure-edit?id=33&village=${VILLAGE}&township=${TOWNSHIP}` })
  })

  test('the correction being edited shows its public reason', async () => {
    const current = fx.publicVersion({ id: 303, disclosure_id: 33 })
    const d = fx.disclosure([
      fx.version({ id: 303, disclosure_id: 33, status: 'published', published_at: current.published_at }),
      fx.version({ id: 304, disclosure_id: 33, number: 2, correction_reason: '保洁费金额录入有误' }),
    ], { id: 33, current })
    const comp = open('pages/disclosure-edit/disclosure-edit', { id: '33' }, [['GET', '/disclosures/33', fx.answer('GET', '/disclosures/33', 200, d)]])
    await loaded(comp)
    expect(text(comp, '.msg-correction')).toBe('更正理由（村民能看到）：保洁费金额录入有误')
    expect(comp.querySelector('.submit-btn')).toBeTruthy()
  })
})

describe('村民质询 (pages/village-questions)', () => {
  const base = `/villages/${VILLAGE}`

  test('unanswered first with due dates (late in red); an answer is public, so it asks first', async () => {
    let answered = false
    const current = fx.publicVersion()
    const d = fx.disclosure([fx.version({ status: 'published', published_at: current.published_at })], { current })
    const open1 = fx.question()
    const late = fx.question({ id: 72, body: '租金什么时候收的？', status: 'overdue', due_at: '2026-02-28T09:00:00+08:00', asker_name: '王秀英' })
    const done = fx.question({ id: 73, body: '有发票吗？', status: 'answered', answer: '有，已附在公开里。', answered_at: '2026-02-27T10:00:00+08:00' })
    const comp = open('pages/village-questions/village-questions', { village: String(VILLAGE) }, [
      ['GET', base + '/disclosure-questions', () => apiAnswer('GET', base + '/disclosure-questions', 200,
        answered ? [open1, Object.assign({}, late, { status: 'answered', answer: '1月5日收的。', answered_at: '2026-03-02T10:00:00+08:00' }), done] : [late, open1, done])],
      ['GET', base + '/disclosures', fx.answer('GET', base + '/disclosures', 200, [d])],
      ['POST', '/disclosure-questions/72/answer', () => {
        answered = true
        return apiAnswer('POST', '/disclosure-questions/72/answer', 200, Object.assign({}, late, { status: 'answered', answer: '1月5日收的。', answered_at: '2026-03-02T10:00:00+08:00' }))
      }],
    ])
    await loaded(comp)

    expect(texts(comp, '.question-waiting .question-body')).toEqual(['租金什么时候收的？', '保洁费为什么比上月多？'])
    expect(comp.querySelectorAll('.question-waiting').map(n => n.dom.className.match(/tone-\w+/)[0])).toEqual(['tone-red', 'tone-amber'])
    expect(texts(comp, '.question-due')).toEqual(['已超过答复期限：2026年2月28日', '请在期限内答复：2026年3月18日'])
    expect(texts(comp, '.question-waiting .card-sub')[0]).toBe('关于：2026年2月财务收支情况')
    expect(texts(comp, '.question-asker')).toEqual(['提问人：王秀英（实名）', '提问人：匿名'])
    expect(texts(comp, '.question-answered .text')).toEqual(['问：有发票吗？', '答：有，已附在公开里。'])

    expect(comp.querySelector('.answer-input')).toBeFalsy() // one at a time: tap the question to answer it
    await tap(comp, '.question-waiting', 0)
    await tap(comp, '.answer-btn', 0)
    expect(text(comp, '.answer-error')).toBe('请写下答复的内容')
    await typeAt(comp, '.answer-input', 0, ' 1月5日收的。 ')
    wx.showModal.mockImplementationOnce(o => setTimeout(() => o.success({ confirm: false, cancel: true }), 0))
    await comp.instance.onAnswer({ currentTarget: { dataset: { id: 72 } } })
    expect(sent('POST')).toHaveLength(0)
    expect(wx.showModal.mock.calls[0][0].content).toBe('答复会公开给全村看到，发出后不能修改。确定发出吗？')
    confirmModals()
    await comp.instance.onAnswer({ currentTarget: { dataset: { id: 72 } } })
    expect(sent('POST')[0]).toMatchObject({ url: BASE + '/disclosure-questions/72/answer', data: { answer: '1月5日收的。' } })
    await waitFor(() => comp.data.answered.length === 2)
    expect(texts(comp, '.question-waiting .question-body')).toEqual(['保洁费为什么比上月多？'])
  })
})

describe('the entries on “me”', () => {
  const role = (r, id, village = { id: VILLAGE, code: '330199101201', name: '下林村' }) => ({
    id, role: r, role_label: r, holder_name: null, county_id: 1,
    township: { id: TOWNSHIP, code: '330199101', name: '青山镇' }, village, grid_id: null, household_id: null,
    starts_at: '2025-01-01T08:00:00+08:00', ends_at: null, end_reason: null,
  })

  test('公开事项 for those who draft, 待审核的公开 for the committee, nothing for a villager', async () => {
    const me = { kind: 'wx', id: 7, display_name: '李明', roles: [role('village_bookkeeper', 1), role('supervision_member', 2)] }
    const comp = open('pages/me/me', {}, [['GET', '/me', fx.answer('GET', '/me', 200, me)]])
    await loaded(comp)
    expect(text(comp, '.disclosure-work-btn')).toBe('公开事项')
    expect(text(comp, '.reviews-btn')).toBe('待审核的公开')
    await tap(comp, '.disclosure-work-btn')
    expect(wx.navigateTo).toHaveBeenLastCalledWith({
      url: `/pages/disclosure-work/disclosure-work?village=${VILLAGE}&township=${TOWNSHIP}&name=${encodeURIComponent('下林村')}`,
    })
    await tap(comp, '.reviews-btn')
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/review-list/review-list?village=${VILLAGE}&name=${encodeURIComponent('下林村')}` })

    jest.resetModules()
    const villager = open('pages/me/me', {}, [['GET', '/me', fx.answer('GET', '/me', 200,
      { kind: 'wx', id: 8, display_name: null, roles: [Object.assign(role('villager', 3), { household_id: 40 })] })]])
    await loaded(villager)
    expect(villager.querySelector('.disclosure-work-btn')).toBeFalsy()
    expect(villager.querySelector('.reviews-btn')).toBeFalsy()
  })
})

test('a page opened without its village says so with 重试', async () => {
  const comp = open('pages/disclosure-work/disclosure-work', {}, [])
  await loaded(comp)
  expect(text(pageState(comp), '.msg-error')).toBe('没有找到您的村')
})
