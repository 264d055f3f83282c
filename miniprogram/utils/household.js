// The door (household code, 一户一码) this phone last scanned. Complaints are filed "from the door"
// (POST /h/<code>/complaints), so pages reached later from 首页 or 我的 use the remembered code.
const config = require('../config')
const { linkValueFrom } = require('./links')

const CODE_RE = /^[0-9A-Za-z][0-9A-Za-z._-]{3,39}$/ // the server canonicalises (dashes, case, typos)

// From page options: `code` (a link inside the app) or `q` (the scanned https://<host>/h/<code>).
function codeFrom(options) {
  return linkValueFrom(options, { param: 'code', kind: 'household', pattern: CODE_RE })
}

function remember(code) {
  try {
    wx.setStorageSync(config.HOUSEHOLD_STORAGE_KEY, code)
  } catch (e) {
    // storage full or unavailable: the code still works for this visit
  }
}

function remembered() {
  try {
    const code = wx.getStorageSync(config.HOUSEHOLD_STORAGE_KEY) || ''
    return CODE_RE.test(code) ? code : ''
  } catch (e) {
    return ''
  }
}

function forget() {
  try {
    wx.removeStorageSync(config.HOUSEHOLD_STORAGE_KEY)
  } catch (e) {
    // nothing to forget
  }
}

// The code in `options`, remembered for later; else the one remembered before.
function current(options) {
  const code = codeFrom(options)
  if (code) {
    remember(code)
    return code
  }
  return remembered()
}

module.exports = { codeFrom, current, remembered, forget }
