// config.js: a trial or release build never falls back to the develop (local) URL; when it cannot
// tell which build it is, or its URL is not a real https origin, it fails loudly at launch.
let wx

function withEnv(answer) {
  jest.resetModules()
  wx = global.wx = { getAccountInfoSync: jest.fn(answer), showModal: jest.fn() }
  return require('../config')
}

const build = envVersion => () => ({ miniProgram: { appId: 'wx0123456789abcdef', envVersion } })

afterEach(() => {
  delete global.wx
  delete global.App
})

test('develop (DevTools) talks to the local dev server of scripts/run', () => {
  expect(withEnv(build('develop')).API_BASE_URL).toBe('http://127.0.0.1:5000/api/v1')
})

test('a trial or release build with the placeholder origin refuses to start instead of using it', () => {
  for (const env of ['trial', 'release']) {
    const config = withEnv(build(env))
    expect(() => config.API_BASE_URL).toThrow(/示例域名 mingjing\.example\.cn，上传前请换成正式域名/)
  }
})

test('a trial or release URL must be a real https origin, never local', () => {
  const { baseUrlFor, ConfigError } = withEnv(build('develop'))
  const urls = origin => ({ develop: 'http://127.0.0.1:5000/api/v1', release: origin + '/api/v1' })
  expect(baseUrlFor('release', urls('https://jiandu.example.gov.cn'))).toBe('https://jiandu.example.gov.cn/api/v1')
  for (const origin of ['http://jiandu.example.gov.cn', 'https://127.0.0.1:5000', 'https://localhost', 'https://192.168.1.20',
    'https://10.0.0.5', 'https://172.20.0.3']) {
    expect(() => baseUrlFor('release', urls(origin))).toThrow(ConfigError)
  }
})

test('when the version cannot be read, nothing falls back to develop', () => {
  const thrown = withEnv(() => { throw new Error('getAccountInfoSync:fail') })
  expect(() => thrown.API_BASE_URL).toThrow(/读不到小程序的版本（wx\.getAccountInfoSync 失败：getAccountInfoSync:fail/)

  const empty = withEnv(() => ({}))
  expect(() => empty.API_BASE_URL).toThrow(/小程序版本 “undefined” 未知/)

  const unknown = withEnv(build('gray'))
  expect(() => unknown.API_BASE_URL).toThrow(/小程序版本 “gray” 未知/)

  jest.resetModules()
  global.wx = {} // a base library without wx.getAccountInfoSync
  expect(() => require('../config').API_BASE_URL).toThrow(/读不到小程序的版本/)
})

test('the app says so at launch, then stops', () => {
  withEnv(() => { throw new Error('getAccountInfoSync:fail') })
  let app
  global.App = definition => { app = definition }
  require('../app')
  expect(() => app.onLaunch()).toThrow(/读不到小程序的版本/)
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '小程序配置有误', showCancel: false }))
  expect(wx.showModal.mock.calls[0][0].content).toMatch(/读不到小程序的版本/)
})

test('a request in a build that cannot tell fails instead of reaching 127.0.0.1', async () => {
  withEnv(build('release'))
  wx.request = jest.fn()
  wx.getStorageSync = jest.fn(() => '')
  const { request } = require('../utils/request')
  await expect(request({ url: '/me' })).rejects.toThrow(/示例域名/)
  expect(wx.request).not.toHaveBeenCalled()
})
