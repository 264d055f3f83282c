// Subscribe messages (订阅消息): WeChat only shows the consent dialog when
// wx.requestSubscribeMessage is called synchronously inside a tap handler, before any await.
// Call askForComplaintUpdates() first thing in the handler and await its promise later; it never
// rejects (declining, or templates not configured, must not stop the filing).
const config = require('../config')

function templateIds() {
  const ids = config.SUBSCRIBE_TEMPLATE_IDS || {}
  return Object.keys(ids).map(k => ids[k]).filter(Boolean).slice(0, 3) // WeChat allows 3 per call
}

// Resolves to WeChat's answer ({<templateId>: 'accept' | 'reject' | 'ban' | 'filter'}) or null.
function askForComplaintUpdates() {
  const tmplIds = templateIds()
  if (!tmplIds.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve(null)
  return new Promise(resolve => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: res => resolve(res),
      fail: () => resolve(null), // e.g. 20004: the user turned notifications off
    })
  })
}

module.exports = { askForComplaintUpdates, templateIds }
