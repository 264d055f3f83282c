// One version of a disclosure (PublicVersionOut / VersionOut) as villagers read it: title, body, the
// finance table (one row per item, amounts in 元 right-aligned, subtotals, the checked balance; no
// horizontal scrolling at 375 px), the attachments. The villager's page, the committee's review and
// the cadre's draft all render a version with this, so what is approved looks like what is read.
//
// Where the attachments are fetched from: door="<code>" (villagers: GET /h/<code>/attachments/<id>,
// published versions only) or officer (the village's officers: GET /disclosure-attachments/<id>, drafts
// too). Either way images are downloaded through the request wrapper and shown inline (tap: full
// screen), a PDF is downloaded and opened with wx.openDocument on tap. With neither, a tap triggers
// `open-attachment` {attachment} and the page decides.
const { download } = require('../../utils/request')
const { ApiError, isApiError, showError } = require('../../utils/errors')
const { attachmentRows, financeTable } = require('../../utils/disclosures')

Component({
  options: {
    styleIsolation: 'apply-shared', // app.wxss's .title / .text / .hint apply here too
  },
  properties: {
    version: { type: Object, value: null },
    door: { type: String, value: '' },
    officer: { type: Boolean, value: false },
    showTitle: { type: Boolean, value: true },
  },
  data: {
    table: null,
    images: [], // {id, filename, path ('' until downloaded), failed}
    files: [], // PDFs: {id, filename, sizeText}
    opening: 0, // the id of the PDF being downloaded
  },
  observers: {
    'version, door, officer'(version, door, officer) {
      // Observers run whenever the page sets the property: the same version again changes nothing.
      const key = `${version ? version.id : ''}|${door}|${officer}`
      if (key === this.shownKey) return
      this.shownKey = key
      const rows = attachmentRows(version)
      this.setData({
        table: financeTable(version),
        images: rows.filter(a => !a.pdf).map(a => ({ id: a.id, filename: a.filename, path: '', failed: false })),
        files: rows.filter(a => a.pdf),
      })
      this.shownSeq = (this.shownSeq || 0) + 1 // a download for a version no longer shown is dropped
      if (this.fetches()) this.fetchImages()
    },
  },
  methods: {
    fetches() {
      return !!(this.data.door || this.data.officer)
    },

    // The attachment's file, downloaded (one path per audience, written out for the API contract).
    fetch(id) {
      return this.data.door
        ? download({ url: `/h/${encodeURIComponent(this.data.door)}/attachments/${id}` })
        : download({ url: `/disclosure-attachments/${id}` })
    },

    attachment(id) {
      return ((this.data.version && this.data.version.attachments) || []).find(a => a.id === id) || null
    },

    fetchImages() {
      const seq = this.shownSeq
      this.data.images.forEach((image, index) => {
        if (image.path) return
        this.fetch(image.id).then(
          path => {
            if (seq === this.shownSeq) this.setData({ [`images[${index}].path`]: path, [`images[${index}].failed`]: false })
          },
          () => {
            if (seq === this.shownSeq) this.setData({ [`images[${index}].failed`]: true })
          }
        )
      })
    },

    onImage(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (!this.fetches()) {
        this.triggerEvent('open-attachment', { attachment: this.attachment(id) })
        return
      }
      const image = this.data.images.find(i => i.id === id)
      if (image && image.failed) {
        this.fetchImages() // 加载失败，点一下再试
        return
      }
      const urls = this.data.images.filter(i => i.path).map(i => i.path)
      if (image && image.path) wx.previewImage({ current: image.path, urls })
    },

    onFile(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (!this.fetches()) {
        this.triggerEvent('open-attachment', { attachment: this.attachment(id) })
        return null
      }
      if (this.data.opening) return null
      this.setData({ opening: id })
      return this.fetch(id)
        .then(filePath => new Promise((resolve, reject) => {
          wx.openDocument({ filePath, fileType: 'pdf', showMenu: true, success: resolve, fail: reject })
        }))
        .catch(err => showError(isApiError(err) ? err : new ApiError({ code: 'open_failed', message: '文件打不开，请稍后再试' })))
        .then(() => this.setData({ opening: 0 }))
    },
  },
})
