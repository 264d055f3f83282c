// Doubles for the file and phone parts of `wx` (added to the wx of helpers.installWx):
// wx.downloadFile answered by `route(opts)` → {statusCode, tempFilePath} or FAIL, each answer checked
// against the backend's OpenAPI document (the operation exists and answers that status, without a
// JSON body); wx.openDocument succeeds unless told; wx.makePhoneCall is recorded.
const { FAIL } = require('./helpers')

function apiPath(url) {
  const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]
  return path.startsWith('/api/v1/') ? path.slice('/api/v1'.length) : path
}

function installFiles(route) {
  const later = fn => setTimeout(fn, 0)
  const wx = global.wx
  wx.downloadFile = jest.fn(opts => {
    later(() => {
      const res = route(opts)
      if (res === FAIL) {
        opts.fail({ errMsg: 'downloadFile:fail timeout' })
        return
      }
      // An error answer went to the file too: the operation must document that status (with the
      // API's one error body, e.g. 401 token_expired); a success answer has no JSON body.
      const body = res.statusCode >= 400 ? { error: { code: res.code || 'error', message: '错误' } } : undefined
      require('./openapi').checkAnswer('GET', apiPath(opts.url), res.statusCode, body)
      opts.success(Object.assign({ errMsg: 'downloadFile:ok' }, res))
    })
  })
  wx.openDocument = jest.fn(opts => later(() => opts.success && opts.success({ errMsg: 'openDocument:ok' })))
  wx.makePhoneCall = jest.fn()
  return wx
}

// A downloaded file: where WeChat put it. An error answer: its status (and error code).
const saved = (tempFilePath, statusCode = 200, code) => ({ statusCode, tempFilePath, code })

module.exports = { installFiles, saved, apiPath }
