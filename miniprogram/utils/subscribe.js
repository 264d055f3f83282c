// Subscribe messages (订阅消息). Which templates to ask for is the backend's to say: it sends with
// the ids it is configured with, and lists them at GET /subscribe-templates ({key, template_id,
// audience: villager | handler, ...}). One accepted request is one message, so the mini-program asks
// again at each step after which it will want to tell the person something:
//   villager: filing a complaint; tapping 未解决 (the case is handled again)
//   handler (a cadre): tapping 签收 or 答复 on a case
//   asker: tapping 提交 on a question (质询) about a disclosure (told when the village answers)
// WeChat shows the consent dialog only when wx.requestSubscribeMessage is called from the user's tap,
// before any await. So pages call loadTemplates() when they open, and in the tap handler call ask…()
// first and await its promise later. Asking never rejects: declining, an unconfigured backend or no
// network must not stop the filing or the reply.
const { request } = require('./request')

const STORAGE_KEY = 'mingjing_subscribe_templates' // the last list the backend gave, for offline taps
const MAX_PER_REQUEST = 3 // WeChat's limit per call

let templates = null

function known() {
  if (templates) return templates
  try {
    const saved = wx.getStorageSync(STORAGE_KEY)
    if (Array.isArray(saved)) templates = saved
  } catch (e) {
    // storage unavailable: nothing known yet
  }
  return templates || []
}

// Fetches the list (pages call it in onLoad). Resolves to the templates known afterwards.
function loadTemplates() {
  return request({ url: '/subscribe-templates' }).then(
    list => {
      templates = Array.isArray(list) ? list.filter(t => t && t.template_id) : []
      try {
        wx.setStorageSync(STORAGE_KEY, templates)
      } catch (e) {
        // kept in memory only
      }
      return templates
    },
    () => known()
  )
}

function templateIds(audience) {
  return known().filter(t => t.audience === audience).map(t => t.template_id).slice(0, MAX_PER_REQUEST)
}

// Resolves to WeChat's answer ({<templateId>: 'accept' | 'reject' | 'ban' | 'filter'}) or null.
function ask(audience) {
  const tmplIds = templateIds(audience)
  if (!tmplIds.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve(null)
  return new Promise(resolve => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: res => resolve(res),
      fail: () => resolve(null), // e.g. 20004: the user turned notifications off
    })
  })
}

const askForComplaintUpdates = () => ask('villager')
const askForCaseDuties = () => ask('handler')
const askForQuestionAnswer = () => ask('asker')

module.exports = { loadTemplates, templateIds, askForComplaintUpdates, askForCaseDuties, askForQuestionAnswer }
