const path = require('path')
const { installWx, apiError, bearer, isLogin, session, waitFor, FAIL } = require('./helpers')

const ROOT = path.resolve(__dirname, '..')
const PAGE = path.join(ROOT, 'pages/invite/invite')
const BASE = 'http://127.0.0.1:5000/api/v1'
const TOKEN = 'Qm9vdHN0cmFwLXRva2VuLTEyMzQ1Njc4OTAtYWJjZGVm' // token_urlsafe-shaped
const ROLE = {
  id: 11,
  role: 'village_director',
  role_label: '村委会主任',
  holder_name: '王建国',
  township: { id: 2, code: '330102001', name: '清河镇' },
  village: { id: 5, code: '330102001201', name: '东岭村' },
  household_id: null,
}

let wx
let simulate
let pageId // simulate.load runs the page's JS through jest's module cache: load once per test

function setup(route, opts) {
  ;({ wx } = installWx(route, opts)) // before simulate: it merges its own wx API under ours
  simulate = require('miniprogram-simulate')
}

function openPage(options) {
  if (!pageId) pageId = simulate.load(PAGE, { rootPath: ROOT })
  const comp = simulate.render(pageId)
  comp.attach(document.createElement('parent-wrapper'))
  comp.instance.onLoad(options)
  return comp
}

const text = (comp, selector) => {
  const node = comp.querySelector(selector)
  return node ? node.dom.textContent.trim() : null
}
const acceptCalls = () => wx.request.mock.calls.map(([o]) => o).filter(o => o.url.endsWith('/auth/invitations/accept'))

beforeEach(() => {
  jest.resetModules()
  pageId = undefined
})

test('a scanned ordinary-link QR (options.q) gives the token; 确认绑定 accepts it via the wrapper', async () => {
  setup(() => ({ statusCode: 201, data: ROLE }), { token: 'session-tok' })
  const q = encodeURIComponent(`https://mingjing.example.cn/i/${TOKEN}`)

  const comp = openPage({ q, scancode_time: '1700000000' })

  expect(comp.data.status).toBe('ready')
  expect(text(comp, '.confirm-btn')).toBe('确认绑定')
  expect(wx.request).not.toHaveBeenCalled() // nothing happens until the user confirms

  comp.querySelector('.confirm-btn').dispatchEvent('tap')
  await waitFor(() => comp.data.status === 'done')

  expect(acceptCalls()).toHaveLength(1)
  const call = acceptCalls()[0]
  expect(call).toMatchObject({ url: BASE + '/auth/invitations/accept', method: 'POST', data: { token: TOKEN } })
  expect(bearer(call)).toBe('Bearer session-tok')
  expect(text(comp, '.msg-success')).toBe('绑定成功')
  expect(text(comp, '.msg-role')).toBe('村委会主任')
  expect(text(comp, '.msg-scope')).toContain('东岭村')
  expect(comp.querySelector('.confirm-btn')).toBeFalsy()
})

test('options.token works too, and a first-time user is logged in silently before accepting', async () => {
  setup(opts => {
    if (isLogin(opts)) return session('new-session')
    if (bearer(opts) !== 'Bearer new-session') return apiError(401, 'unauthenticated', '请先登录')
    return { statusCode: 201, data: ROLE }
  })

  const comp = openPage({ token: TOKEN })
  comp.querySelector('.confirm-btn').dispatchEvent('tap')
  await waitFor(() => comp.data.status === 'done')

  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(acceptCalls().map(bearer)).toEqual(['', 'Bearer new-session'])
  expect(acceptCalls()[1].data).toEqual({ token: TOKEN })
})

test('a server error shows the server’s Chinese message and no retry for a used invitation', async () => {
  setup(() => apiError(409, 'invitation_used', '该邀请二维码已被使用，请联系乡镇工作人员重新生成'),
    { token: 'session-tok' })

  const comp = openPage({ q: encodeURIComponent(`https://mingjing.example.cn/i/${TOKEN}`) })
  comp.querySelector('.confirm-btn').dispatchEvent('tap')
  await waitFor(() => comp.data.status === 'error')

  expect(text(comp, '.msg-error')).toBe('该邀请二维码已被使用，请联系乡镇工作人员重新生成')
  expect(comp.querySelector('.confirm-btn')).toBeFalsy()
  expect(comp.querySelector('.home-btn')).toBeTruthy()
})

test('a network failure shows the network message and offers 重试', async () => {
  setup(() => FAIL, { token: 'session-tok' })

  const comp = openPage({ token: TOKEN })
  comp.querySelector('.confirm-btn').dispatchEvent('tap')
  await waitFor(() => comp.data.status === 'error')

  expect(text(comp, '.msg-error')).toBe('网络连接失败，请检查网络后重试')
  expect(text(comp, '.confirm-btn')).toBe('重试')
})

test('a QR without an invitation token shows a hint and never calls the API', () => {
  setup(() => ({ statusCode: 500, data: {} }))

  for (const options of [{}, { q: encodeURIComponent('https://mingjing.example.cn/h/330102001201-0012') },
    { q: encodeURIComponent('https://evil.example.com/x/abc') }]) {
    const comp = openPage(options)
    expect(comp.data.status).toBe('missing')
    expect(text(comp, '.msg-missing')).toContain('没有找到邀请码')
    expect(comp.querySelector('.confirm-btn')).toBeFalsy()
  }
  expect(wx.request).not.toHaveBeenCalled()
})
