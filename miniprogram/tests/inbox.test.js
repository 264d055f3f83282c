// A cadre's inbox and case page: filters, 签收, 答复, 退单, and a case someone else moved (409).
const { installWx, apiError, waitFor, openPage, text, texts, tap, type } = require('./helpers')

const BASE = 'http://127.0.0.1:5000/api/v1'

// HandlerComplaintOut as the API dumps it for the handling office.
function handled(status, overrides = {}) {
  const events = [{ kind: 'filed', to_status: 'assigned', actor_label: '村民', public_note: '已提交，转村委会主任办理',
    internal_note: null, created_at: '2026-03-05T09:30:00+08:00' }]
  if (status === 'signed') {
    events.push({ kind: 'signed', to_status: 'signed', actor_label: '村委会主任', public_note: '村委会主任已签收',
      internal_note: null, created_at: '2026-03-05T14:05:00+08:00' })
  }
  if (status === 'returned') {
    events.push({ kind: 'returned', to_status: 'returned', actor_label: '村委会主任', public_note: '已退回镇四平台重新分派',
      internal_note: '属于镇综合执法', created_at: '2026-03-05T15:00:00+08:00' })
  }
  return Object.assign({
    id: 41, reference: 'TS-20260305-9F3A1C02BD', category: 'dispute', category_name: '矛盾纠纷', status,
    resolution: null, filed_at: '2026-03-05T09:30:00+08:00', closed_at: null, lane: 'service',
    description: '邻居家的围墙占了公共通道，多次协商无果。', anonymous: false, handler: '村委会主任',
    held_for_review: false, reopen_count: 0, rating: null, village_id: 5, household_id: 3,
    contact_name: '王秀英', contact_phone: '13800000000', about_role: null, routing_fallback: false,
    latitude: null, longitude: null, handling: true, events,
  }, overrides)
}

let wx
const templatesKnown = () => wx.setStorageSync.mock.calls.some(([key]) => key === 'mingjing_subscribe_templates')
const posts = () => wx.request.mock.calls.map(([o]) => o).filter(o => o.method === 'POST')

function open(page, options, route, templates) {
  ;({ wx } = installWx(route, { token: 'cadre-tok', templates }))
  return openPage(page, options)
}

const TEMPLATES = [ // GET /subscribe-templates
  { key: 'case_progress', template_id: 'TPL-PROGRESS', audience: 'villager' },
  { key: 'case_assigned', template_id: 'TPL-ASSIGNED', audience: 'handler' },
  { key: 'case_reminder', template_id: 'TPL-REMINDER', audience: 'handler' },
]

beforeEach(() => {
  jest.resetModules()
})

const listCalls = () => wx.request.mock.calls.map(([o]) => o).filter(o => o.url.endsWith('/complaints'))

test('inbox: 接收新案件提醒 asks for the office’s templates from the tap', async () => {
  const comp = open('pages/inbox/inbox', {}, () => ({ statusCode: 200, data: { items: [], total: 0 } }), TEMPLATES)
  await waitFor(() => !comp.data.view.loading && comp.data.canRemind)
  expect(text(comp, '.remind-btn')).toBe('接收新案件提醒')
  wx.requestSubscribeMessage.mockImplementationOnce(o => setTimeout(() => o.success({ 'TPL-ASSIGNED': 'accept' }), 0))
  const done = comp.instance.onRemind() // what a tap runs
  expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['TPL-ASSIGNED', 'TPL-REMINDER'])
  await done
  expect(wx.showToast.mock.calls[0][0].title).toBe('已开启，有新案件时提醒您一次')
})

test('inbox: no 接收新案件提醒 while the backend lists no templates', async () => {
  const none = open('pages/inbox/inbox', {}, () => ({ statusCode: 200, data: { items: [], total: 0 } }))
  await waitFor(() => !none.data.view.loading && templatesKnown())
  expect(none.data.canRemind).toBe(false)
  expect(none.querySelector('.remind-btn')).toBeFalsy()
})

test('inbox: 待签收 first, a tab per status, copies marked, more pages on request', async () => {
  const copy = handled('assigned', { id: 43, category_name: '三资管理', handling: false })
  delete copy.contact_name
  delete copy.contact_phone
  const comp = open('pages/inbox/inbox', {}, opts => {
    const page = opts.data.page
    if (opts.data.status === 'signed') return { statusCode: 200, data: { items: [handled('signed', { id: 44 })], total: 1 } }
    if (page === 2) return { statusCode: 200, data: { items: [handled('assigned', { id: 40 })], total: 3 } }
    return { statusCode: 200, data: { items: [handled('assigned', { id: 42 }), copy], total: 3 } }
  })
  await waitFor(() => !comp.data.view.loading)

  const first = listCalls()[0]
  expect(first.url).toBe(BASE + '/complaints')
  expect(first.data).toEqual({ page: 1, per_page: 20, status: 'assigned' })
  expect(texts(comp, '.tab')).toEqual(['待签收', '办理中', '已答复', '已退单', '已办结', '全部'])
  expect(texts(comp, '.chip-on')).toEqual(['待签收'])
  expect(texts(comp, '.case-card .card-title')).toEqual(['矛盾纠纷', '三资管理抄送'])
  expect(texts(comp, '.case-card .badge')).toEqual(['抄送'])
  expect(text(comp, '.msg-total')).toBe('共 3 件')

  await tap(comp, '.more-btn')
  await waitFor(() => comp.data.items.length === 3)
  expect(listCalls()[1].data).toEqual({ page: 2, per_page: 20, status: 'assigned' })
  expect(comp.querySelector('.more-btn')).toBeFalsy()

  await tap(comp, '.tab-signed')
  await waitFor(() => !comp.data.view.loading && comp.data.items.length === 1)
  expect(listCalls()[2].data).toEqual({ page: 1, per_page: 20, status: 'signed' })
  await tap(comp, '.tab-all')
  await waitFor(() => listCalls().length === 4 && !comp.data.view.loading)
  expect(listCalls()[3].data).toEqual({ page: 1, per_page: 20 })

  await tap(comp, '.case-card', 1)
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/inbox-case/inbox-case?id=43' })
})

describe('case page (pages/inbox-case)', () => {
  const PAGE = 'pages/inbox-case/inbox-case'

  test('签收 then 答复: each step posts to the API and shows the case as it now is', async () => {
    const comp = open(PAGE, { id: '41' }, opts => {
      if (opts.url.endsWith('/sign')) return { statusCode: 200, data: handled('signed') }
      if (opts.url.endsWith('/reply')) return { statusCode: 200, data: handled('replied') }
      return { statusCode: 200, data: handled('assigned') }
    })
    await waitFor(() => !comp.data.view.loading)

    expect(wx.request.mock.calls[0][0].url).toBe(BASE + '/complaints/41')
    expect(text(comp, '.msg-status')).toBe('待签收')
    expect(text(comp, '.msg-contact')).toBe('反映人：王秀英 电话 13800000000')
    expect(comp.querySelector('.reply-input')).toBeFalsy()

    await tap(comp, '.sign-btn')
    await waitFor(() => posts().length === 1 && !comp.data.busy)
    expect(posts()[0].url).toBe(BASE + '/complaints/41/sign')
    expect(text(comp, '.msg-status')).toBe('办理中')
    expect(comp.querySelector('.sign-btn')).toBeFalsy()

    await tap(comp, '.reply-btn') // nothing written yet
    expect(text(comp, '.msg-action-error')).toBe('请写下答复的内容')
    expect(posts()).toHaveLength(1)
    await type(comp, '.reply-input', ' 已协调拆除占道部分围墙。 ')
    await tap(comp, '.reply-btn')
    await waitFor(() => posts().length === 2 && !comp.data.busy)
    expect(posts()[1]).toMatchObject({ url: BASE + '/complaints/41/reply', data: { text: '已协调拆除占道部分围墙。' } })
    expect(text(comp, '.msg-status')).toBe('已答复')
    expect(text(comp, '.msg-read-only')).toBe('已答复，等待村民确认是否解决。')
    expect(comp.querySelector('.reply-btn')).toBeFalsy()
    expect(comp.querySelector('.send-back-btn')).toBeFalsy()
  })

  test('签收 and 答复 ask WeChat for the cadre’s next messages inside the tap, then go ahead whatever the answer', async () => {
    const comp = open(PAGE, { id: '41' }, opts => {
      if (opts.url.endsWith('/sign')) return { statusCode: 200, data: handled('signed') }
      if (opts.url.endsWith('/reply')) return { statusCode: 200, data: handled('replied') }
      return { statusCode: 200, data: handled('assigned') }
    }, TEMPLATES)
    await waitFor(() => !comp.data.view.loading && templatesKnown())
    wx.requestSubscribeMessage.mockImplementationOnce(o => setTimeout(() => o.success({ 'TPL-ASSIGNED': 'reject' }), 0))

    comp.instance.onSign() // what a tap runs
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1) // synchronously: WeChat needs the tap
    expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['TPL-ASSIGNED', 'TPL-REMINDER'])
    await waitFor(() => posts().length === 1 && !comp.data.busy)
    expect(posts()[0].url).toBe(BASE + '/complaints/41/sign') // declined: signed all the same

    await tap(comp, '.reply-btn') // nothing written: neither asked nor sent
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1)
    await type(comp, '.reply-input', '已协调。')
    comp.instance.onReply()
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(2)
    await waitFor(() => posts().length === 2 && !comp.data.busy)
    expect(posts()[1].url).toBe(BASE + '/complaints/41/reply')
  })

  test('公开摘要: the handling office writes the public list’s line once replied; never for a case about someone', async () => {
    const puts = () => wx.request.mock.calls.map(([o]) => o).filter(o => o.method === 'PUT')
    const comp = open(PAGE, { id: '41' }, opts => opts.method === 'PUT'
      ? { statusCode: 200, data: handled('replied', { public_summary: '已拆除占道围墙' }) }
      : { statusCode: 200, data: handled('replied') })
    await waitFor(() => !comp.data.view.loading)

    await tap(comp, '.summary-btn')
    expect(text(comp, '.msg-action-error')).toBe('请写下要公开的办理结果')
    await type(comp, '.summary-input', ' 已拆除占道围墙 ')
    await tap(comp, '.summary-btn')
    await waitFor(() => puts().length === 1 && !comp.data.busy)
    expect(puts()[0]).toMatchObject({ url: BASE + '/complaints/41/public-summary', data: { text: '已拆除占道围墙' } })
    expect(text(comp, '.msg-public-summary')).toBe('现在公开的是：已拆除占道围墙')

    jest.resetModules()
    const about = open(PAGE, { id: '41' }, () => ({ statusCode: 200, data: handled('replied', { about_role: 'village_director' }) }))
    await waitFor(() => !about.data.view.loading)
    expect(about.querySelector('.summary-btn')).toBeFalsy()
  })

  test('请村民补充: the same box asks the villager; the case then waits for them', async () => {
    const comp = open(PAGE, { id: '41' }, opts => opts.url.endsWith('/ask')
      ? { statusCode: 200, data: handled('waiting') }
      : { statusCode: 200, data: handled('signed') })
    await waitFor(() => !comp.data.view.loading)

    await tap(comp, '.ask-btn')
    expect(text(comp, '.msg-action-error')).toBe('请写下要村民补充什么')
    expect(posts()).toHaveLength(0)
    await type(comp, '.reply-input', '请提供围墙位置的照片')
    await tap(comp, '.ask-btn')
    await waitFor(() => posts().length === 1 && !comp.data.busy)
    expect(posts()[0]).toMatchObject({ url: BASE + '/complaints/41/ask', data: { text: '请提供围墙位置的照片' } })
    expect(text(comp, '.msg-status')).toBe('待村民补充')
    expect(text(comp, '.msg-read-only')).toBe('已请村民补充情况，等村民回复（其间办理时限暂停）。')
    expect(comp.querySelector('.reply-btn')).toBeFalsy()
  })

  test('a case someone else moved (409): says so, keeps the typed reply, and 刷新 shows it as it is', async () => {
    let loads = 0
    const comp = open(PAGE, { id: '41' }, opts => {
      if (opts.url.endsWith('/reply')) return apiError(409, 'case_changed', '案件刚刚被他人处理，请刷新后重试')
      loads += 1
      return { statusCode: 200, data: loads === 1 ? handled('signed') : handled('returned', { handling: false }) }
    })
    await waitFor(() => !comp.data.view.loading)

    await type(comp, '.reply-input', '已协调。')
    await tap(comp, '.reply-btn')
    await waitFor(() => comp.data.conflict)

    expect(text(comp, '.msg-conflict')).toBe('这件事刚刚被他人处理，请刷新后再看')
    expect(comp.data.replyText).toBe('已协调。')
    expect(comp.querySelector('.msg-action-error')).toBeFalsy()

    await tap(comp, '.refresh-btn')
    await waitFor(() => loads === 2 && !comp.data.view.loading)
    expect(comp.querySelector('.msg-conflict')).toBeFalsy()
    expect(text(comp, '.msg-status')).toBe('已退单')
    expect(comp.querySelector('.reply-btn')).toBeFalsy()
    expect(texts(comp.querySelector('.timeline-box'), '.step-internal')).toEqual(['内部说明：属于镇综合执法'])
  })

  test('退单 needs a reason; afterwards the case is no longer this office’s', async () => {
    const after = handled('returned', { handling: false })
    delete after.contact_name
    delete after.contact_phone
    const comp = open(PAGE, { id: '41' }, opts => (opts.url.endsWith('/send-back')
      ? { statusCode: 200, data: after } : { statusCode: 200, data: handled('assigned') }))
    await waitFor(() => !comp.data.view.loading)

    await tap(comp, '.send-back-btn')
    expect(comp.querySelector('.sign-btn')).toBeFalsy() // one thing at a time
    await tap(comp, '.confirm-send-back-btn')
    expect(text(comp, '.msg-action-error')).toBe('请写明退单的理由')
    expect(posts()).toHaveLength(0)

    await type(comp, '.reason-input', '占道属于镇综合执法')
    await tap(comp, '.confirm-send-back-btn')
    await waitFor(() => posts().length === 1 && !comp.data.busy)
    expect(posts()[0]).toMatchObject({ url: BASE + '/complaints/41/send-back', data: { reason: '占道属于镇综合执法' } })
    expect(text(comp, '.msg-status')).toBe('已退单')
    expect(text(comp, '.msg-read-only')).toBe('这件事抄送给您知晓，由其他单位办理。')
    expect(comp.querySelector('.msg-contact')).toBeFalsy()
    expect(comp.querySelector('.send-back-btn')).toBeFalsy()
  })

  test('a copy is read-only; an action refused for another reason shows the server’s message', async () => {
    const copy = open(PAGE, { id: '43' }, () => ({ statusCode: 200, data: handled('assigned', { handling: false }) }))
    await waitFor(() => !copy.data.view.loading)
    expect(copy.querySelector('.sign-btn')).toBeFalsy()
    expect(copy.querySelector('.send-back-btn')).toBeFalsy()
    expect(text(copy, '.msg-read-only')).toBe('这件事抄送给您知晓，由其他单位办理。')

    jest.resetModules()
    const gone = open(PAGE, { id: '41' }, opts => (opts.url.endsWith('/sign')
      ? apiError(404, 'not_found', '未找到该内容，或您无权查看') : { statusCode: 200, data: handled('assigned') }))
    await waitFor(() => !gone.data.view.loading)
    await tap(gone, '.sign-btn')
    await waitFor(() => gone.data.actionError)
    expect(text(gone, '.msg-action-error')).toBe('未找到该内容，或您无权查看')
    expect(gone.querySelector('.msg-conflict')).toBeFalsy()
  })
})
