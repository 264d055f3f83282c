// ApiError: the one error type pages see, and how it is shown to people.
// Every message shown to the user is Chinese; raw JS errors are never shown.

const NETWORK_ERROR_MESSAGE = '网络连接失败，请检查网络后重试'
const GENERIC_ERROR_MESSAGE = '操作失败，请稍后重试'

class ApiError extends Error {
  // status: HTTP status (0 when no response arrived); code: the server's stable error code;
  // message: the server's Chinese message; fields: per-field messages for forms (or null).
  constructor({ status = 0, code = 'unknown_error', message = GENERIC_ERROR_MESSAGE, fields = null } = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }
}

function isApiError(err) {
  return !!err && err.name === 'ApiError' && typeof err.code === 'string'
}

function networkError() {
  return new ApiError({ status: 0, code: 'network_error', message: NETWORK_ERROR_MESSAGE })
}

// The Chinese text to show for any thrown value.
function messageOf(err) {
  if (isApiError(err) && err.message) return err.message
  return GENERIC_ERROR_MESSAGE
}

// Short messages as a toast; long ones (a toast shows about two short lines) or `modal: true`
// as a modal that stays until the user taps 知道了, which suits older users better.
function showError(err, { modal = false, title = '提示' } = {}) {
  const message = messageOf(err)
  if (modal || message.length > 14) {
    return new Promise(resolve => {
      wx.showModal({
        title,
        content: message,
        showCancel: false,
        confirmText: '知道了',
        complete: () => resolve(),
      })
    })
  }
  wx.showToast({ title: message, icon: 'none', duration: 3000 })
  return Promise.resolve()
}

module.exports = {
  ApiError,
  isApiError,
  networkError,
  messageOf,
  showError,
  NETWORK_ERROR_MESSAGE,
  GENERIC_ERROR_MESSAGE,
}
