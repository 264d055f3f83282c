// One published disclosure, as a villager reads it from their door (GET /h/<code>/disclosures/<id>,
// which also counts this household as reached): what it is and for which period, who approved it and
// when, the content (components/disclosure-view: body, finance table, attachments), its versions with
// each 更正's public reason (tap one to read it), 查验 against the public hash chain
// (GET /disclosures/<id>/verify), the village's answered questions, 我要质询, and the large
// 打电话给镇纪委 button. Opened as pages/disclosure/disclosure?code=<door>&id=<disclosure id>.
// Loading, 重试 and pull-down refresh: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const { ApiError, messageOf } = require('../../utils/errors')
const household = require('../../utils/household')
const { CATEGORY_NAMES, periodText } = require('../../utils/disclosure-work')
const { approvalText, questionRow, versionHistory } = require('../../utils/disclosures')

Component({
  behaviors: [pageLoad],

  data: {
    code: '',
    d: null, // {id, title, categoryName, itemName, periodText}
    versions: [], // the published versions in words, oldest first
    shown: null, // the version on screen (PublicVersionOut)
    shownNumber: 0,
    latestNumber: 0,
    approval: '',
    answered: [], // the village's answered questions
    waitingCount: 0, // questions still waiting for the village's answer
    verify: null, // {ok, text} after 查验
    verifying: false,
    phone: '',
    township: '',
  },

  methods: {
    load(options) {
      const code = household.codeFrom(options) || household.remembered()
      const id = Number(options.id || 0)
      if (!code || !id) return Promise.reject(new ApiError({ code: 'not_found', message: '没有找到这条公开内容' }))
      this.disclosureId = id
      const door = encodeURIComponent(code)
      if (!this.phoneAsked) {
        this.phoneAsked = true
        this.loadPhone(door) // the call button does not hold up the reading
      }
      return Promise.all([
        request({ url: `/h/${door}/disclosures/${id}` }),
        request({ url: `/h/${door}/disclosures/${id}/questions` }),
      ]).then(([detail, questions]) => {
        this.versionsSeen = publishedVersions(detail) // for onVersion: they never change once published
        return Object.assign(
          { code },
          detailData(detail, this.versionsSeen),
          questionData(questions)
        )
      })
    },

    loadPhone(door) {
      return request({ url: `/h/${door}` }).then(
        landing => {
          const township = (landing.village && landing.village.township) || {}
          this.setData({ phone: township.supervision_phone || '', township: township.name || '' })
        },
        () => {} // without the landing the page still reads; the call button says the number is unknown
      )
    },

    // Read an earlier (or the current) version: the whole row is the tap target.
    onVersion(e) {
      const number = Number(e.currentTarget.dataset.number)
      const version = (this.versionsSeen || []).find(v => v.number === number)
      if (version) this.setData({ shown: version, shownNumber: number, approval: approvalText(version), verify: null })
    },

    onVerify() {
      if (this.data.verifying) return null
      this.setData({ verifying: true, verify: null })
      return request({ url: `/disclosures/${this.disclosureId}/verify` }).then(
        result => this.setData({ verifying: false, verify: verifyData(result, this.data.shown) }),
        err => this.setData({ verifying: false, verify: { ok: false, failed: true, text: messageOf(err) } })
      )
    },

    onAsk() {
      const title = this.data.d ? this.data.d.title : ''
      wx.navigateTo({
        url: `/pages/question-ask/question-ask?code=${encodeURIComponent(this.data.code)}` +
          `&id=${this.disclosureId}&title=${encodeURIComponent(title)}`,
      })
    },

    onMyQuestions() {
      wx.navigateTo({ url: '/pages/my-questions/my-questions' })
    },
  },
})

function publishedVersions(detail) {
  return detail.versions && detail.versions.length ? detail.versions : [detail.current || {}]
}

function detailData(detail, versions) {
  const current = detail.current || {}
  return {
    d: {
      id: detail.id,
      title: current.title || '',
      categoryName: CATEGORY_NAMES[detail.category] || '',
      itemName: detail.item_type ? detail.item_type.name : '',
      periodText: periodText(detail.period),
    },
    versions: versionHistory(versions),
    shown: current,
    shownNumber: current.number || 1,
    latestNumber: current.number || 1,
    approval: approvalText(current),
    verify: null,
  }
}

function questionData(questions) {
  const rows = (questions || []).map(questionRow)
  return {
    answered: rows.filter(q => q.answered),
    waitingCount: rows.filter(q => !q.answered).length,
  }
}

// What 查验 found, in plain words. The server walks the whole public chain and recomputes this
// disclosure's published versions; its problem list is for auditors, not shown here.
function verifyData(result, shown) {
  const fingerprint = shown && shown.content_hash ? shown.content_hash.slice(0, 16) : ''
  if (result.ok) {
    return {
      ok: true,
      text: `查验通过：这条公开自发布以来没有被改动过。公开记录链共 ${result.entries} 条，环环相扣，全部完好。`,
      fingerprint,
    }
  }
  return {
    ok: false,
    text: '查验没有通过：公开记录与发布时对不上，可能被改动过。请打电话给镇纪委反映。',
    fingerprint,
  }
}
