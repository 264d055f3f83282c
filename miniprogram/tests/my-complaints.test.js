// The villager follows a complaint: the list, the detail with its timeline, 已解决 / 未解决, the
// rating; the village's public list of resolved cases; the door's landing on the home page.
const { installWx, apiError, waitFor, openPage, pageState, text, texts, tap, type } = require('./helpers')

const BASE = 'http://127.0.0.1:5000/api/v1'
const CODE = 'K3M9-7QX2-ABCDE'

// ComplaintOut as the API dumps it (times in +08:00).
function complaint(status, overrides = {}) {
  const events = [
    { kind: 'filed', to_status: 'assigned', actor_label: '村民', public_note: '已提交，转村委会主任办理',
      created_at: '2026-03-05T09:30:00+08:00' },
    { kind: 'signed', to_status: 'signed', actor_label: '村委会主任', public_note: '村委会主任已签收',
      created_at: '2026-03-05T14:05:00+08:00' },
  ]
  if (['replied', 'closed'].includes(status)) {
    events.push({ kind: 'replied', to_status: 'replied', actor_label: '村委会主任',
      public_note: '已协调拆除占道部分围墙。', created_at: '2026-03-07T02:00:00Z' }) // any offset: shown in Beijing time
  }
  if (status === 'closed') {
    events.push({ kind: 'confirmed', to_status: 'closed', actor_label: '村民', public_note: '村民确认已解决',
      created_at: '2026-03-08T10:00:00+08:00' })
  }
  return Object.assign({
    id: 41, reference: 'TS-20260305-9F3A1C02BD', category: 'dispute', category_name: '矛盾纠纷', status,
    resolution: status === 'closed' ? 'solved' : null, filed_at: '2026-03-05T09:30:00+08:00',
    closed_at: status === 'closed' ? '2026-03-08T10:00:00+08:00' : null, lane: 'service',
    description: '邻居家的围墙占了公共通道，多次协商无果。', anonymous: true, handler: '村委会主任',
    held_for_review: false, reopen_count: 0, rating: null, events,
  }, overrides)
}

let wx
const templatesKnown = () => wx.setStorageSync.mock.calls.some(([key]) => key === 'mingjing_subscribe_templates')
const posts = () => wx.request.mock.calls.map(([o]) => o).filter(o => o.method === 'POST')
const confirmModal = answer => wx.showModal.mockImplementationOnce(o => setTimeout(() => o.success(answer), 0))

function open(page, options, route, storage = {}) {
  ;({ wx } = installWx(route, Object.assign({ token: 'tok' }, storage)))
  return openPage(page, options)
}

beforeEach(() => {
  jest.resetModules()
})

describe('detail (pages/my-complaint)', () => {
  const PAGE = 'pages/my-complaint/my-complaint'

  test('renders the status in words and the public timeline in Beijing time; no confirm buttons before a reply', async () => {
    const comp = open(PAGE, { id: '41' }, () => ({ statusCode: 200, data: complaint('signed') }))
    await waitFor(() => !comp.data.view.loading)

    expect(wx.request.mock.calls[0][0].url).toBe(BASE + '/me/complaints/41')
    expect(text(comp, '.msg-reference')).toBe('TS-20260305-9F3A1C02BD')
    expect(text(comp, '.msg-status')).toBe('正在办理')
    expect(text(comp, '.msg-handler')).toBe('办理单位：村委会主任')
    const timeline = comp.querySelector('.timeline-box')
    expect(texts(timeline, '.step-title')).toEqual(['提交反映 · 村民', '签收 · 村委会主任'])
    expect(texts(timeline, '.step-time')).toEqual(['2026年3月5日 09:30', '2026年3月5日 14:05'])
    expect(texts(timeline, '.step-note')).toEqual(['已提交，转村委会主任办理', '村委会主任已签收'])
    expect(comp.querySelector('.solved-btn')).toBeFalsy()
    expect(comp.querySelector('.not-solved-btn')).toBeFalsy()
    expect(comp.querySelector('.rating-box')).toBeFalsy()
  })

  test('waiting: shows the office’s question and the due time; 提交补充 sends the text; escalation is said', async () => {
    const asked = complaint('waiting', {
      clock_step: 'waiting', due_at: '2026-03-12T09:00:00+08:00', escalation_level: 1,
      events: complaint('signed').events.concat([{ kind: 'asked', to_status: 'waiting', actor_label: '镇四平台',
        public_note: '请提供围墙位置的照片', created_at: '2026-03-06T09:00:00+08:00' }]),
    })
    const comp = open(PAGE, { id: '41' }, opts => opts.url.endsWith('/supply')
      ? { statusCode: 200, data: complaint('signed', { clock_step: 'handle', due_at: '2026-03-13T09:00:00+08:00' }) }
      : { statusCode: 200, data: asked })
    await waitFor(() => !comp.data.view.loading)

    expect(text(comp, '.msg-status')).toBe('办理单位请您补充情况')
    expect(text(comp, '.msg-question')).toBe('请提供围墙位置的照片')
    expect(text(comp, '.msg-due')).toBe('请在 2026年3月12日 09:00 前补充，逾期将按现有情况办理')
    expect(comp.querySelector('.msg-escalated')).toBeTruthy()
    expect(comp.querySelector('.solved-btn')).toBeFalsy()

    tap(comp, '.supply-btn') // empty: nothing sent
    expect(posts()).toEqual([])
    type(comp, '.supply-input', '  照片已发到村委会  ')
    tap(comp, '.supply-btn')
    await waitFor(() => comp.data.c.statusText === '正在办理')
    expect(posts().map(o => [o.url, o.data])).toEqual([[BASE + '/me/complaints/41/supply', { text: '照片已发到村委会' }]])
    expect(comp.querySelector('.supply-box')).toBeFalsy()
    expect(text(comp, '.msg-due')).toBe('应在 2026年3月13日 09:00 前答复您')
  })

  test('when replied: 已解决 confirms (after asking), then the rating is offered and sent', async () => {
    const comp = open(PAGE, { id: '41' }, opts => {
      if (opts.url.endsWith('/confirm')) return { statusCode: 200, data: complaint('closed') }
      if (opts.url.endsWith('/rating')) return { statusCode: 200, data: complaint('closed', { rating: 4 }) }
      return { statusCode: 200, data: complaint('replied') }
    })
    await waitFor(() => !comp.data.view.loading)

    expect(text(comp, '.msg-status')).toBe('已答复，请您确认是否解决')
    expect(texts(comp.querySelector('.timeline-box'), '.step-time')[2]).toBe('2026年3月7日 10:00')
    expect(text(comp, '.solved-btn')).toBe('已解决')
    expect(text(comp, '.not-solved-btn')).toBe('未解决')
    expect(comp.querySelector('.rating-box')).toBeFalsy()

    confirmModal({ confirm: true, cancel: false })
    await tap(comp, '.solved-btn')
    await waitFor(() => posts().length === 1 && !comp.data.busy)
    expect(posts()[0]).toMatchObject({ url: BASE + '/me/complaints/41/confirm', data: { solved: true } })
    expect(text(comp, '.msg-status')).toBe('已办结（已解决）')
    expect(comp.querySelector('.solved-btn')).toBeFalsy()

    await tap(comp, '.star-4')
    expect(comp.querySelectorAll('.star-on')).toHaveLength(4)
    await type(comp, '.comment-input', ' 处理得很及时 ')
    await tap(comp, '.rate-btn')
    await waitFor(() => posts().length === 2 && !comp.data.busy)
    expect(posts()[1]).toMatchObject({ url: BASE + '/me/complaints/41/rating', data: { stars: 4, comment: '处理得很及时' } })
    expect(comp.querySelector('.rating-box')).toBeFalsy()
    expect(text(comp, '.msg-rated')).toBe('您的评价：4 颗星')
  })

  test('未解决 sends the villager’s words and the case is back with the office', async () => {
    const comp = open(PAGE, { id: '41' }, opts => (opts.url.endsWith('/confirm')
      ? { statusCode: 200, data: complaint('assigned', { reopen_count: 1 }) }
      : { statusCode: 200, data: complaint('replied') }))
    await waitFor(() => !comp.data.view.loading)

    confirmModal({ confirm: true, cancel: false, content: ' 围墙还在 ' })
    await tap(comp, '.not-solved-btn')
    await waitFor(() => posts().length === 1 && !comp.data.busy)

    expect(wx.showModal.mock.calls[0][0].editable).toBe(true)
    expect(posts()[0].data).toEqual({ solved: false, note: '围墙还在' })
    expect(text(comp, '.msg-status')).toBe('已转交，等待办理')
    expect(comp.querySelector('.not-solved-btn')).toBeFalsy()
  })

  test('未解决 asks WeChat again for the villager’s messages about the case, from the dialog’s confirm', async () => {
    const templates = [{ key: 'case_progress', template_id: 'TPL-PROGRESS', audience: 'villager' },
      { key: 'case_assigned', template_id: 'TPL-ASSIGNED', audience: 'handler' }]
    const comp = open(PAGE, { id: '41' }, opts => (opts.url.endsWith('/confirm')
      ? { statusCode: 200, data: complaint('assigned', { reopen_count: 1 }) }
      : { statusCode: 200, data: complaint('replied') }), { templates })
    await waitFor(() => !comp.data.view.loading && templatesKnown())

    confirmModal({ confirm: true, cancel: false, content: '' })
    await tap(comp, '.not-solved-btn')
    await waitFor(() => posts().length === 1 && !comp.data.busy)
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1)
    expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['TPL-PROGRESS'])
    expect(posts()[0].data).toEqual({ solved: false })
  })

  test('a cancelled question sends nothing; a conflict says so and reloads', async () => {
    let loads = 0
    const comp = open(PAGE, { id: '41' }, opts => {
      if (opts.url.endsWith('/confirm')) return apiError(409, 'invalid_transition', '案件当前状态下不能进行此操作')
      loads += 1
      return { statusCode: 200, data: complaint(loads === 1 ? 'replied' : 'assigned') }
    })
    await waitFor(() => !comp.data.view.loading)

    confirmModal({ confirm: false, cancel: true })
    await tap(comp, '.solved-btn')
    expect(posts()).toHaveLength(0)

    confirmModal({ confirm: true, cancel: false })
    wx.showModal.mockImplementationOnce(o => setTimeout(() => o.complete(), 0)) // the error, read and closed
    await tap(comp, '.solved-btn')
    await waitFor(() => loads === 2 && !comp.data.view.loading)
    expect(wx.showModal.mock.calls[2][0].content).toBe('案件当前状态下不能进行此操作')
    expect(comp.querySelector('.solved-btn')).toBeFalsy()
  })

  test('just filed: says so; a case that is not mine shows the server’s message', async () => {
    const filed = open(PAGE, { id: '41', filed: '1' }, () => ({ statusCode: 200, data: complaint('assigned') }))
    await waitFor(() => !filed.data.view.loading)
    expect(text(filed, '.msg-filed')).toBe('提交成功！请记下编号。')

    jest.resetModules()
    const other = open(PAGE, { id: '99' }, () => apiError(404, 'not_found', '未找到该内容，或您无权查看'))
    await waitFor(() => other.data.view.error)
    expect(text(pageState(other), '.msg-error')).toBe('未找到该内容，或您无权查看')
  })
})

test('my complaints: newest first as the API gives them, waiting-for-me marked, opening one', async () => {
  const list = [complaint('replied', { id: 42, reference: 'TS-20260306-AAAAAAAAAA' }),
    complaint('closed', { id: 41, resolution: 'rejected' })]
  const comp = open('pages/my-complaints/my-complaints', {}, () => ({ statusCode: 200, data: list }),
    { household: CODE })
  await waitFor(() => !comp.data.view.loading)

  expect(wx.request.mock.calls[0][0].url).toBe(BASE + '/me/complaints')
  expect(texts(comp, '.complaint-card .card-status')).toEqual(['已答复，请您确认是否解决', '已办结（未通过审核）'])
  expect(texts(comp, '.complaint-card .badge')).toEqual(['请确认'])
  await tap(comp, '.complaint-card', 0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/my-complaint/my-complaint?id=42' })
  expect(comp.querySelector('.file-btn')).toBeTruthy() // a door is remembered

  jest.resetModules()
  const empty = open('pages/my-complaints/my-complaints', {}, () => ({ statusCode: 200, data: [] }))
  await waitFor(() => !empty.data.view.loading)
  expect(text(pageState(empty), '.msg-empty')).toBe('您还没有反映过问题。')
  expect(empty.querySelector('.file-btn')).toBeFalsy()
})

test('the village’s resolved cases: category, the office’s public summary and dates, no identities', async () => {
  const resolved = [{ // PublicResolvedOut
    reference: 'TS-20260305-9F3A1C02BD', category: 'dispute', category_name: '矛盾纠纷', status: 'closed',
    resolution: 'solved', filed_on: '2026-03-05', closed_on: '2026-03-08', public_summary: '已协调拆除占道部分围墙。',
  }, {
    reference: 'TS-20260306-1A2B3C4D5E', category: 'safety', category_name: '消防 / 安全隐患', status: 'closed',
    resolution: 'solved', filed_on: '2026-03-06', closed_on: '2026-03-09', public_summary: null,
  }]
  const comp = open('pages/village-resolved/village-resolved', { code: CODE }, () => ({ statusCode: 200, data: resolved }))
  await waitFor(() => !comp.data.view.loading)

  expect(wx.request.mock.calls[0][0].url).toBe(`${BASE}/h/${CODE}/resolved-complaints`)
  expect(texts(comp, '.resolved-card .card-title')).toEqual(['矛盾纠纷', '消防 / 安全隐患'])
  expect(texts(comp, '.resolved-summary')).toEqual(['已协调拆除占道部分围墙。']) // none written: nothing shown
  expect(texts(comp, '.resolved-card .card-sub')[0]).toBe('2026年3月5日 反映，2026年3月8日 解决')
})

describe('home as the door’s landing', () => {
  const LANDING = { // HouseholdLandingOut
    code: CODE, household: { id: 3, number: '0012', grid_name: '一组' },
    village: { id: 5, code: '330102001201', name: '东岭村', kind: 'village',
      township: { name: '清河镇', supervision_phone: null } },
    disclosures: [],
  }
  const ME = { kind: 'wx', id: 7, display_name: null, roles: [] }

  test('a scanned door shows its village and leads to 反映问题 and the resolved list; the door is remembered', async () => {
    const q = encodeURIComponent(`https://mingjing.example.cn/h/${CODE}`)
    const NONE = { items: [], total: 0, page: 1, per_page: 20 } // DisclosurePageOut: the door's read marks
    const comp = open('pages/index/index', { q }, opts => ({ statusCode: 200,
      data: opts.url.endsWith('/me') ? ME : opts.url.endsWith('/disclosures') ? NONE : LANDING }))
    await waitFor(() => !comp.data.view.loading && comp.data.door && wx.request.mock.calls.length === 3)

    expect(wx.request.mock.calls.map(([o]) => o.url).sort()).toEqual([`${BASE}/h/${CODE}`, `${BASE}/h/${CODE}/disclosures`, BASE + '/me'])
    expect(text(comp, '.msg-village')).toBe('东岭村')
    expect(wx.setStorageSync).toHaveBeenCalledWith('mingjing_household_code', CODE)
    expect(comp.querySelector('.inbox-btn')).toBeFalsy() // a villager has no inbox
    await tap(comp, '.file-btn')
    await tap(comp, '.resolved-btn')
    await tap(comp, '.mine-btn')
    expect(wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual([
      `/pages/complaint-file/complaint-file?code=${encodeURIComponent(CODE)}`,
      `/pages/village-resolved/village-resolved?code=${encodeURIComponent(CODE)}`,
      '/pages/my-complaints/my-complaints',
    ])
  })

  test('a void door is forgotten with the server’s message; a cadre sees 待办案件', async () => {
    const cadre = { ...ME, roles: [{ id: 11, role: 'village_director', role_label: '村委会主任' }] }
    const comp = open('pages/index/index', {}, opts => (opts.url.endsWith('/me')
      ? { statusCode: 200, data: cadre }
      : apiError(404, 'household_code_void', '此二维码已作废或不存在，请联系村委会')), { household: CODE })
    await waitFor(() => !comp.data.view.loading && comp.data.doorError)

    expect(text(comp, '.msg-door-error')).toBe('此二维码已作废或不存在，请联系村委会')
    expect(wx.removeStorageSync).toHaveBeenCalledWith('mingjing_household_code')
    expect(comp.querySelector('.file-btn')).toBeFalsy()
    expect(text(comp, '.msg-scan-hint')).toContain('扫自家门上的二维码')
    await tap(comp, '.inbox-btn')
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/inbox/inbox' })
  })
})
