// 我的质询: the questions I asked about disclosures (GET /me/disclosure-questions), newest first,
// each with its state in words, the date the village must answer by, and the answer once given.
// Opened from a disclosure, from the home page, right after asking (?id=<new>&asked=1), and from the
// subscribe message telling me of an answer (?id=<question>): that question is marked.
// Loading, 重试 and pull-down refresh: behaviors/page-load.js.
const pageLoad = require('../../behaviors/page-load')
const { request } = require('../../utils/request')
const household = require('../../utils/household')
const { myQuestionRow } = require('../../utils/disclosures')

Component({
  behaviors: [pageLoad],

  data: {
    questions: [],
    focusId: 0,
    justAsked: false,
    canOpen: false, // a door is remembered: a question's disclosure can be opened from here
  },

  methods: {
    load(options) {
      return request({ url: '/me/disclosure-questions' }).then(list => ({
        questions: list.map(myQuestionRow),
        focusId: Number(options.id || 0),
        justAsked: !!options.asked,
        canOpen: !!household.remembered(),
      }))
    },

    isEmpty(data) {
      return !data.questions.length
    },

    onOpen(e) {
      const id = Number(e.currentTarget.dataset.disclosure)
      const code = household.remembered()
      if (!id || !code) return
      wx.navigateTo({ url: `/pages/disclosure/disclosure?code=${encodeURIComponent(code)}&id=${id}` })
    },
  },
})
