const { FAIL, installWx, apiError, bearer, isLogin, session } = require('./helpers')

const BASE = 'http://127.0.0.1:5000/api/v1'
let wx
let storage
let request
let errors

// The wrapper's own mechanics, with bodies no API sends (a proxy's HTML page, {ok: true}): the
// answers are not checked against the OpenAPI document here, unlike in every page's tests.
function setup(route, opts) {
  ;({ wx, storage } = installWx(route, Object.assign({ checkAnswers: false }, opts)))
  ;({ request } = require('../utils/request'))
  errors = require('../utils/errors')
}

// Answers 200 to the current token `good`, 401 to anything else; logins hand out `good`.
function tokenRoute(good, body = { ok: true }) {
  return opts => {
    if (isLogin(opts)) return session(good)
    if (bearer(opts) === 'Bearer ' + good) return { statusCode: 200, data: body }
    return apiError(401, 'token_expired', '登录已过期，请重新登录')
  }
}

const loginCalls = () => wx.request.mock.calls.filter(([o]) => isLogin(o))

beforeEach(() => {
  jest.resetModules()
})

test('adds the stored token as a Bearer header and resolves to the JSON body', async () => {
  setup(() => ({ statusCode: 200, data: { id: 1, name: '东村' } }), { token: 'tok-1' })

  await expect(request({ url: '/villages/1' })).resolves.toEqual({ id: 1, name: '东村' })

  expect(wx.request).toHaveBeenCalledTimes(1)
  const opts = wx.request.mock.calls[0][0]
  expect(opts.url).toBe(BASE + '/villages/1')
  expect(opts.method).toBe('GET')
  expect(opts.header.Authorization).toBe('Bearer tok-1')
  expect(wx.login).not.toHaveBeenCalled()
})

test('sends the body of a POST and resolves 204 to null', async () => {
  setup(() => ({ statusCode: 204, data: '' }), { token: 'tok-1' })

  await expect(request({ url: '/auth/logout', method: 'POST', data: { a: 1 } })).resolves.toBeNull()
  expect(wx.request.mock.calls[0][0]).toMatchObject({ method: 'POST', data: { a: 1 } })
})

test('on 401 logs in silently once, stores the new token and retries the request', async () => {
  setup(tokenRoute('fresh'), { token: 'stale' })

  await expect(request({ url: '/me' })).resolves.toEqual({ ok: true })

  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(loginCalls()).toHaveLength(1)
  const login = loginCalls()[0][0]
  expect(login).toMatchObject({ url: BASE + '/auth/wx-login', method: 'POST', data: { code: 'wx-code-1' } })
  expect(login.header.Authorization).toBeUndefined()
  expect(storage.mingjing_token).toBe('fresh')
  const urls = wx.request.mock.calls.map(([o]) => [o.url, bearer(o)])
  expect(urls).toEqual([
    [BASE + '/me', 'Bearer stale'],
    [BASE + '/auth/wx-login', ''],
    [BASE + '/me', 'Bearer fresh'],
  ])
})

test('first run without a token: 401, then login, then the request succeeds', async () => {
  setup(tokenRoute('first'))

  await expect(request({ url: '/me' })).resolves.toEqual({ ok: true })
  expect(wx.request.mock.calls[0][0].header.Authorization).toBeUndefined()
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(storage.mingjing_token).toBe('first')
})

test('a second 401 after the re-login rejects instead of looping', async () => {
  setup(opts => (isLogin(opts) ? session('fresh') : apiError(401, 'invalid_token', '登录状态无效，请重新登录')),
    { token: 'stale' })

  const err = await request({ url: '/me' }).catch(e => e)

  expect(err).toBeInstanceOf(errors.ApiError)
  expect(err).toMatchObject({ status: 401, code: 'invalid_token', message: '登录状态无效，请重新登录' })
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(wx.request).toHaveBeenCalledTimes(3) // original, login, one retry
})

test('concurrent 401s share exactly one login', async () => {
  setup(tokenRoute('fresh'), { token: 'stale' })

  const results = await Promise.all([
    request({ url: '/me' }),
    request({ url: '/villages/1' }),
    request({ url: '/villages/2' }),
  ])

  expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }])
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(loginCalls()).toHaveLength(1)
  expect(wx.request).toHaveBeenCalledTimes(7) // 3 originals, 1 login, 3 retries
})

test('a 401 arriving after another request already re-logged in just retries', async () => {
  // /slow answers late, after /me has already replaced the token.
  setup(tokenRoute('fresh'), { token: 'stale' })
  const origRequest = wx.request.getMockImplementation()
  wx.request.mockImplementation(opts => {
    if (opts.url.endsWith('/slow') && bearer(opts) === 'Bearer stale') {
      setTimeout(() => opts.success(apiError(401, 'token_expired', '登录已过期')), 50)
      return
    }
    origRequest(opts)
  })

  const [a, b] = await Promise.all([request({ url: '/me' }), request({ url: '/slow' })])

  expect([a, b]).toEqual([{ ok: true }, { ok: true }])
  expect(wx.login).toHaveBeenCalledTimes(1)
})

test('a failed re-login rejects with the login error', async () => {
  setup(opts => (isLogin(opts)
    ? apiError(401, 'wechat_code_invalid', '微信登录凭证无效，请重试')
    : apiError(401, 'unauthenticated', '请先登录')))

  await expect(request({ url: '/me' })).rejects.toMatchObject({
    status: 401, code: 'wechat_code_invalid', message: '微信登录凭证无效，请重试',
  })
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(wx.request).toHaveBeenCalledTimes(2)
})

test('maps the server error body to an ApiError with the Chinese message', async () => {
  setup(() => apiError(422, 'validation_error', '提交的内容有误，请检查后重试', { token: ['不能为空'] }),
    { token: 'tok' })

  const err = await request({ url: '/auth/invitations/accept', method: 'POST', data: {} }).catch(e => e)

  expect(err).toBeInstanceOf(errors.ApiError)
  expect(err.name).toBe('ApiError')
  expect(err.status).toBe(422)
  expect(err.code).toBe('validation_error')
  expect(err.message).toBe('提交的内容有误，请检查后重试')
  expect(err.fields).toEqual({ token: ['不能为空'] })
  expect(wx.login).not.toHaveBeenCalled() // only 401 triggers a login
})

test('a non-JSON error page still gives a readable Chinese error', async () => {
  setup(() => ({ statusCode: 502, data: '<html>Bad Gateway</html>' }), { token: 'tok' })

  await expect(request({ url: '/me' })).rejects.toMatchObject({
    status: 502, code: 'server_error', message: '服务暂时不可用，请稍后再试',
  })
})

test('a network failure rejects with network_error', async () => {
  setup(() => FAIL, { token: 'tok' })

  const err = await request({ url: '/me' }).catch(e => e)

  expect(err).toBeInstanceOf(errors.ApiError)
  expect(err).toMatchObject({ status: 0, code: 'network_error', message: '网络连接失败，请检查网络后重试' })
  expect(wx.login).not.toHaveBeenCalled()
})

test('logout revokes the session without logging in again and forgets the token', async () => {
  setup(() => apiError(401, 'token_expired', '登录已过期'), { token: 'tok' })
  const auth = require('../utils/auth')

  await auth.logout()

  expect(wx.request).toHaveBeenCalledTimes(1)
  expect(wx.request.mock.calls[0][0]).toMatchObject({ url: BASE + '/auth/logout', method: 'POST' })
  expect(wx.login).not.toHaveBeenCalled()
  expect(storage.mingjing_token).toBeUndefined()
  expect(auth.getToken()).toBe('')
})

test('showError: short messages as a toast, long ones as a modal', () => {
  setup(() => FAIL)
  errors.showError(new errors.ApiError({ code: 'invitation_used', message: '该邀请已被使用' }))
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '该邀请已被使用', icon: 'none' }))

  errors.showError(errors.networkError())
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    content: '网络连接失败，请检查网络后重试', showCancel: false,
  }))

  errors.showError(new TypeError('x is undefined'))
  expect(wx.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '操作失败，请稍后重试' }))
})

describe('upload (wx.uploadFile, multipart "file")', () => {
  const PHOTO = { id: 501, status: 'pending', width: 800, height: 600, bytes: 81234 }
  const upload = () => require('../utils/request').upload({ url: '/complaint-photos', filePath: 'wxfile://tmp/a.jpg' })

  test('sends the file with the token and resolves to the parsed JSON', async () => {
    setup(() => ({ statusCode: 201, data: PHOTO }), { token: 'tok-1' })

    await expect(upload()).resolves.toEqual(PHOTO)

    expect(wx.request).not.toHaveBeenCalled()
    const opts = wx.uploadFile.mock.calls[0][0]
    expect(opts).toMatchObject({ url: BASE + '/complaint-photos', filePath: 'wxfile://tmp/a.jpg', name: 'file' })
    expect(opts.header.Authorization).toBe('Bearer tok-1')
    expect(opts.timeout).toBe(60000)
  })

  test('a 401 logs in silently once and uploads again with the new token', async () => {
    setup(opts => {
      if (isLogin(opts)) return session('fresh')
      if (bearer(opts) === 'Bearer fresh') return { statusCode: 201, data: PHOTO }
      return apiError(401, 'token_expired', '登录已过期，请重新登录')
    }, { token: 'stale' })

    await expect(upload()).resolves.toEqual(PHOTO)

    expect(wx.login).toHaveBeenCalledTimes(1)
    expect(wx.uploadFile.mock.calls.map(([o]) => bearer(o))).toEqual(['Bearer stale', 'Bearer fresh'])
    expect(storage.mingjing_token).toBe('fresh')
  })

  test('errors come back as ApiError like any request; a lost connection as network_error', async () => {
    setup(() => apiError(422, 'unsupported_image', '只能上传 JPG 或 PNG 照片', { file: ['格式不正确'] }), { token: 'tok' })
    await expect(upload()).rejects.toMatchObject({
      name: 'ApiError', status: 422, code: 'unsupported_image', message: '只能上传 JPG 或 PNG 照片', fields: { file: ['格式不正确'] },
    })

    jest.resetModules()
    setup(() => ({ statusCode: 413, data: '<html>Request Entity Too Large</html>' }), { token: 'tok' })
    await expect(upload()).rejects.toMatchObject({ status: 413, code: 'payload_too_large', message: '提交的内容过大' })

    jest.resetModules()
    setup(() => FAIL, { token: 'tok' })
    await expect(upload()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })
})

describe('download (wx.downloadFile: photos and attachments that need the token)', () => {
  const download = () => require('../utils/request').download({ url: '/complaint-photos/7/image' })

  test('fetches with the token and resolves to the temp file; a 401 logs in once and fetches again', async () => {
    setup(opts => {
      if (isLogin(opts)) return session('fresh')
      if (bearer(opts) === 'Bearer fresh') return { statusCode: 200, tempFilePath: 'wxfile://tmp/photo-7.jpg' }
      return { statusCode: 401 }
    }, { token: 'stale' })

    await expect(download()).resolves.toBe('wxfile://tmp/photo-7.jpg')
    expect(wx.downloadFile.mock.calls.map(([o]) => [o.url, bearer(o)])).toEqual([
      [BASE + '/complaint-photos/7/image', 'Bearer stale'], [BASE + '/complaint-photos/7/image', 'Bearer fresh'],
    ])
    expect(wx.request).toHaveBeenCalledTimes(1) // the login only
  })

  test('an error status gives a readable Chinese error; a lost connection network_error', async () => {
    setup(() => ({ statusCode: 404 }), { token: 'tok' })
    await expect(download()).rejects.toMatchObject({ name: 'ApiError', status: 404, code: 'not_found', message: '找不到要访问的内容' })

    jest.resetModules()
    setup(() => FAIL, { token: 'tok' })
    await expect(download()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })
})

test('no module other than utils/request.js calls wx.request, wx.uploadFile or wx.downloadFile', () => {
  const fs = require('fs')
  const path = require('path')
  const root = path.resolve(__dirname, '..')
  const offenders = []
  const walk = dir => {
    for (const name of fs.readdirSync(dir)) {
      if (name === 'node_modules' || name === 'tests') continue
      const full = path.join(dir, name)
      if (fs.statSync(full).isDirectory()) walk(full)
      else if (name.endsWith('.js') && /\bwx\.(request|uploadFile|downloadFile)\s*\(/.test(fs.readFileSync(full, 'utf8'))) {
        offenders.push(path.relative(root, full))
      }
    }
  }
  walk(root)
  expect(offenders).toEqual(['utils/request.js'])
})
