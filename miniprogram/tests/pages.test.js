// Smoke tests for the home and "me" pages.
const path = require('path')
const { installWx, waitFor } = require('./helpers')

const ROOT = path.resolve(__dirname, '..')
const ME = {
  kind: 'wx', id: 7, display_name: '王建国',
  roles: [{
    id: 11, role: 'village_director', role_label: '村委会主任',
    township: { id: 2, code: '330102001', name: '清河镇' }, village: { id: 5, code: '330102001201', name: '东岭村' },
  }],
}

let wx
let simulate

function open(page, options, route) {
  ;({ wx } = installWx(route, { token: 'tok' }))
  simulate = require('miniprogram-simulate')
  const comp = simulate.render(simulate.load(path.join(ROOT, page), { rootPath: ROOT }))
  comp.attach(document.createElement('parent-wrapper'))
  comp.instance.onLoad(options)
  return comp
}

const texts = (comp, selector) => comp.querySelectorAll(selector).map(n => n.dom.textContent.replace(/\s+/g, ' ').trim())

beforeEach(() => {
  jest.resetModules()
})

test('home lists the running roles from GET /me', async () => {
  const comp = open('pages/index/index', {}, () => ({ statusCode: 200, data: ME }))
  await waitFor(() => !comp.data.view.loading)

  expect(wx.request.mock.calls[0][0].url).toMatch(/\/api\/v1\/me$/)
  expect(texts(comp, '.role-card .card-title')).toEqual(['村委会主任'])
  expect(texts(comp, '.role-card .card-sub')).toEqual(['清河镇 东岭村'])
})

test('home shows a welcome when there are no roles, and stays logged out after 退出登录', async () => {
  const comp = open('pages/index/index', {}, () => ({ statusCode: 200, data: { ...ME, roles: [] } }))
  await waitFor(() => !comp.data.view.loading)
  expect(texts(comp, '.msg-welcome')).toEqual(['欢迎使用明镜。'])

  jest.resetModules()
  const after = open('pages/index/index', { from: 'logout' }, () => ({ statusCode: 200, data: ME }))
  await waitFor(() => !after.data.view.loading)
  expect(after.data.loggedOut).toBe(true)
  expect(after.querySelector('.login-btn')).toBeTruthy()
  expect(wx.request).not.toHaveBeenCalled()
})

test('me: 退出登录 asks first, revokes the session and returns home', async () => {
  const comp = open('pages/me/me', {}, opts => (opts.url.endsWith('/auth/logout')
    ? { statusCode: 204, data: '' } : { statusCode: 200, data: ME }))
  await waitFor(() => !comp.data.view.loading)
  expect(texts(comp, '.role-card .card-title')).toEqual(['村委会主任'])
  expect(texts(comp, '.role-card .card-sub')).toEqual(['清河镇 东岭村'])

  wx.showModal.mockImplementation(opts => opts.success({ confirm: true, cancel: false }))
  comp.querySelector('.logout-btn').dispatchEvent('tap')
  await waitFor(() => wx.reLaunch.mock.calls.length === 1)

  expect(wx.request.mock.calls.map(([o]) => o.url.replace(/^.*\/api\/v1/, ''))).toEqual(['/me', '/auth/logout'])
  expect(wx.removeStorageSync).toHaveBeenCalledWith('mingjing_token')
  expect(wx.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index?from=logout' })
})

test('every page in app.json has its four files, and every page folder is registered', () => {
  const fs = require('fs')
  const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))
  for (const page of app.pages) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) {
      expect(fs.existsSync(path.join(ROOT, `${page}.${ext}`))).toBe(true)
    }
  }
  const folders = fs.readdirSync(path.join(ROOT, 'pages')).map(name => `pages/${name}/${name}`)
  expect(folders.sort()).toEqual([...app.pages].sort())
  expect(app.requiredPrivateInfos).toEqual(['chooseLocation']) // declared: the filing form's location
})
