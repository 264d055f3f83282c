// Write a disclosure: a new one (?village=&township=&item=<item type id>&period=) or the draft,
// returned draft or correction being worked on (?id=<disclosure id>). Text; for finance the rows
// (item, 收入/支出, amount typed in 元 and sent in integer fen) with the totals computed as they
// are typed and checked again by the server; photos and PDFs attached with a progress bar; 保存草稿
// and 提交审核. A returned draft shows the committee's comments at the top.
const pageLoad = require('../../behaviors/page-load')
const { request, upload } = require('../../utils/request')
const { ApiError, messageOf, showError } = require('../../utils/errors')
const { fieldMessages } = require('../../utils/complaints')
const work = require('../../utils/disclosure-work')

const MAX_ATTACHMENTS = 20 // app/domain/disclosures/attachments.py
const TITLE_MAX = 120
const BODY_MAX = 20000
const EDITABLE = ['draft', 'returned']

Component({
  behaviors: [pageLoad],

  data: {
    isNew: false,
    editable: false,
    itemName: '',
    categoryName: '',
    periodText: '',
    isFinance: false,
    status: '',
    statusText: '',
    tone: '',
    comment: '',
    correctionReason: '',
    title: '',
    body: '',
    titleMax: TITLE_MAX,
    bodyMax: BODY_MAX,
    rows: [],
    rowErrors: {},
    incomeText: '0.00',
    expenseText: '0.00',
    errors: {}, // title, body, line_items, totals, attachments: messages under their fields
    formError: '',
    shownVersion: null, // read only (in review, published): the version for <disclosure-view>
    attachments: [], // {key, id, filename, kind: 'image' | 'pdf', status: 'uploading' | 'done' | 'failed', progress, error}
    busy: false,
    savedNote: '',
    conflict: '',
    privacyVisible: false,
  },

  lifetimes: {
    attached() {
      this.uploads = Promise.resolve()
      this.fileSeq = 0
    },
  },

  methods: {
    load(options) {
      this.villageId = Number(options.village || 0)
      this.townshipId = Number(options.township || 0)
      const id = this.disclosureId || Number(options.id || 0)
      if (id) return request({ url: `/disclosures/${id}` }).then(d => this.fromDisclosure(d))
      this.itemTypeId = Number(options.item || 0)
      this.period = options.period || ''
      if (!this.villageId || !this.townshipId || !this.itemTypeId || !this.period) {
        return Promise.reject(new ApiError({ code: 'no_item', message: '没有找到要公开的事项，请返回重新选择' }))
      }
      return request({ url: `/townships/${this.townshipId}/catalogue` }).then(catalogue => {
        const item = catalogue.find(i => i.id === this.itemTypeId)
        if (!item) throw new ApiError({ code: 'no_item', message: '这个事项已不在本镇的公开目录里' })
        const isFinance = item.category === 'finance'
        const periodText = work.periodText(this.period)
        return Object.assign(this.totalsOf(isFinance ? [work.formRow()] : []), {
          isNew: true,
          editable: true,
          itemName: item.name,
          categoryName: work.CATEGORY_NAMES[item.category] || '',
          periodText,
          isFinance,
          status: '',
          statusText: '新建，还没保存',
          tone: 'grey',
          title: `${periodText}${item.name}公开`,
          body: '',
        })
      })
    },

    fromDisclosure(d) {
      this.disclosureId = d.id
      const v = work.workingVersion(d)
      const shown = v || d.current
      this.versionId = v ? v.id : null
      const row = work.disclosureRow(d)
      const isFinance = d.category === 'finance' || !!(shown.line_items && shown.line_items.length)
      const rows = work.rowsFromApi(shown.line_items)
      return Object.assign(this.totalsOf(rows), {
        isNew: false,
        editable: !!v && EDITABLE.indexOf(v.status) !== -1,
        itemName: row.itemName,
        categoryName: row.categoryName,
        periodText: row.periodText,
        isFinance,
        status: row.status,
        statusText: v ? row.statusText : '已公开。要改正请回到列表点“更正”',
        tone: row.tone,
        comment: row.comment,
        correctionReason: v ? v.correction_reason || '' : '',
        title: shown.title,
        body: shown.body,
        shownVersion: shown,
        attachments: (shown.attachments || []).map(a => this.attachmentRow(a)),
        errors: {},
        formError: '',
        conflict: '',
      })
    },

    attachmentRow(a) {
      return {
        key: 'a' + a.id,
        id: a.id,
        filename: a.filename,
        kind: a.media_type === 'application/pdf' ? 'pdf' : 'image',
        status: 'done',
        progress: 100,
        error: '',
      }
    },

    // ---- typing ----
    onTitleInput(e) {
      this.setData({ title: e.detail.value, 'errors.title': '', savedNote: '' })
    },

    onBodyInput(e) {
      this.setData({ body: e.detail.value, 'errors.body': '', savedNote: '' })
    },

    totalsOf(rows) {
      const checked = work.checkRows(rows)
      // A row's problem shows once it has been typed in (or after 保存 / 提交).
      const rowErrors = {}
      rows.forEach(r => {
        if (checked.errors[r.key] && (r.touched || this.showAllRowErrors)) rowErrors[r.key] = checked.errors[r.key]
      })
      return { rows, rowErrors, incomeText: checked.incomeText, expenseText: checked.expenseText }
    },

    setRows(rows) {
      this.setData(Object.assign(this.totalsOf(rows), { 'errors.totals': '', 'errors.line_items': '', savedNote: '' }))
    },

    changeRow(key, changes) {
      this.setRows(this.data.rows.map(r => (r.key === key ? Object.assign({}, r, changes, { touched: true }) : r)))
    },

    onRowLabel(e) {
      this.changeRow(e.currentTarget.dataset.key, { label: e.detail.value })
    },

    onRowAmount(e) {
      this.changeRow(e.currentTarget.dataset.key, { yuan: e.detail.value })
    },

    onRowKind(e) {
      this.changeRow(e.currentTarget.dataset.key, { kind: e.currentTarget.dataset.kind })
    },

    onAddRow() {
      this.setRows(this.data.rows.concat([work.formRow()]))
    },

    onRemoveRow(e) {
      const key = e.currentTarget.dataset.key
      this.setRows(this.data.rows.filter(r => r.key !== key))
    },

    // ---- saving and submitting ----
    // What would be sent, or null after showing what is missing.
    draftBody() {
      const errors = {}
      const title = this.data.title.trim()
      const body = this.data.body.trim()
      if (!title) errors.title = '请填写标题'
      if (!body) errors.body = '请填写公开的内容'
      const out = { title, body }
      if (this.data.isFinance) {
        this.showAllRowErrors = true
        const checked = work.checkRows(this.data.rows)
        this.setData(this.totalsOf(this.data.rows))
        if (!this.data.rows.length) errors.line_items = '财务公开请至少填写一笔收入或支出'
        else if (!checked.ok) errors.line_items = '有的收支明细没填好，请看红字'
        out.line_items = checked.items
        out.totals = checked.totals
      }
      if (Object.keys(errors).length) {
        this.setData({ errors, formError: '还有没填好的地方，请看红字' })
        return null
      }
      return out
    },

    // Saves what is on the form: POST /disclosures the first time, PATCH afterwards. Resolves to
    // true when saved (the server's errors are shown under their fields otherwise).
    save() {
      const content = this.draftBody()
      if (!content) return Promise.resolve(false)
      const exchange = this.versionId
        ? request({ url: `/disclosure-versions/${this.versionId}`, method: 'PATCH', data: content })
        : request({
          url: '/disclosures',
          method: 'POST',
          data: Object.assign({ village_id: this.villageId, item_type_id: this.itemTypeId, period: this.period }, content),
        })
      this.setData({ busy: true, formError: '', errors: {} })
      return exchange.then(
        version => {
          this.versionId = version.id
          this.disclosureId = version.disclosure_id
          const status = work.VERSION_STATUS[version.status]
          this.setData({ busy: false, isNew: false, status: version.status, statusText: status.text, tone: status.tone })
          return true
        },
        err => {
          this.setData({ busy: false })
          this.showServerError(err)
          return false
        }
      )
    },

    // The server's `fields` under their fields; a 409 (submitted or published meanwhile, from
    // another phone) offers 刷新 to show it as it is.
    showServerError(err) {
      // disclosure_exists: this period was started elsewhere (another cadre): the message says to
      // continue that one, which is in the list; 刷新 here would only show this empty form again.
      if (err && err.status === 409 && err.code !== 'disclosure_exists') {
        this.setData({ conflict: messageOf(err) })
        return
      }
      const fields = fieldMessages(err && err.fields)
      const errors = {}
      Object.keys(fields).forEach(name => {
        errors[name === 'period' || name === 'item_type_id' ? 'form' : name] = fields[name]
      })
      this.setData({ errors, formError: errors.form ? messageOf(err) + '：' + errors.form : messageOf(err) })
    },

    onSave() {
      if (this.data.busy) return null
      return this.save().then(ok => {
        if (ok) {
          this.setData({ savedNote: '已保存草稿' })
          wx.showToast({ title: '已保存', icon: 'success' })
        }
      })
    },

    onSubmit() {
      if (this.data.busy || !this.draftBody()) return null
      return new Promise(resolve => {
        wx.showModal({
          title: '提交审核',
          content: '提交后由村务监督委员会审核，审核期间不能再修改。确定提交吗？',
          confirmText: '提交',
          cancelText: '再看看',
          success: res => resolve(res.confirm ? this.saveAndSubmit() : null),
          fail: () => resolve(null),
        })
      })
    },

    saveAndSubmit() {
      return this.save().then(ok => {
        if (!ok) return null
        this.setData({ busy: true })
        return request({ url: `/disclosure-versions/${this.versionId}/submit`, method: 'POST' }).then(
          version => {
            const status = work.VERSION_STATUS[version.status]
            this.setData({
              busy: false, editable: false, shownVersion: version, status: version.status, statusText: status.text, tone: status.tone, comment: '',
            })
            wx.showToast({ title: '已提交审核', icon: 'success' })
          },
          err => {
            this.setData({ busy: false })
            this.showServerError(err)
          }
        )
      })
    },

    // ---- attachments ----
    room() {
      return MAX_ATTACHMENTS - this.data.attachments.length
    },

    // Files go to a saved version: a new disclosure is saved first (while the picker is open).
    // null: not possible now (what is missing is shown).
    ready() {
      if (this.room() <= 0) {
        wx.showToast({ title: `最多 ${MAX_ATTACHMENTS} 个附件`, icon: 'none', duration: 3000 })
        return null
      }
      if (this.versionId) return Promise.resolve(true)
      if (!this.draftBody()) {
        this.setData({ formError: '先把标题和内容填好，才能加附件' })
        return null
      }
      return this.save()
    },

    onAddPhotos() {
      const saved = this.ready()
      if (!saved) return null
      wx.chooseMedia({
        count: Math.min(9, Math.max(this.room(), 1)),
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
        sizeType: ['compressed'],
        success: res => saved.then(ok => ok && this.addFiles((res.tempFiles || []).map(f => ({ path: f.tempFilePath, name: '照片.jpg', kind: 'image' })))),
        fail: () => {}, // cancelled, or privacy declined
      })
      return saved
    },

    onAddPdf() {
      const saved = this.ready()
      if (!saved) return null
      wx.chooseMessageFile({
        count: Math.min(5, Math.max(this.room(), 1)),
        type: 'file',
        extension: ['pdf'],
        success: res => saved.then(ok => ok && this.addFiles((res.tempFiles || []).map(f => ({ path: f.path, name: f.name, kind: 'pdf' })))),
        fail: () => {},
      })
      return saved
    },

    addFiles(files) {
      const taken = files.slice(0, Math.max(this.room(), 0))
      if (files.length > taken.length) {
        wx.showToast({ title: `最多 ${MAX_ATTACHMENTS} 个附件，多出的没有放进来`, icon: 'none', duration: 3000 })
      }
      const added = taken.map(f => ({ key: 'f' + ++this.fileSeq, id: null, path: f.path, filename: f.name, kind: f.kind, status: 'uploading', progress: 0, error: '' }))
      if (!added.length) return null
      this.setData({ attachments: this.data.attachments.concat(added), 'errors.attachments': '' })
      return Promise.all(added.map(a => this.queueUpload(a.key)))
    },

    queueUpload(key) {
      this.uploads = this.uploads.then(() => this.uploadFile(key))
      return this.uploads
    },

    uploadFile(key) {
      const file = this.data.attachments.find(a => a.key === key)
      if (!file || file.status === 'done') return null
      this.updateAttachment(key, { status: 'uploading', progress: 0, error: '' })
      return upload({
        url: `/disclosure-versions/${this.versionId}/attachments`,
        filePath: file.path,
        onProgress: percent => this.updateAttachment(key, { progress: percent }),
      }).then(
        res => this.updateAttachment(key, { status: 'done', progress: 100, id: res.id, filename: res.filename }),
        err => this.updateAttachment(key, { status: 'failed', error: messageOf(err) })
      )
    },

    updateAttachment(key, changes) {
      this.setData({ attachments: this.data.attachments.map(a => (a.key === key ? Object.assign({}, a, changes) : a)) })
    },

    onRetryUpload(e) {
      return this.queueUpload(e.currentTarget.dataset.key)
    },

    onRemoveFailed(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ attachments: this.data.attachments.filter(a => a.key !== key) })
    },

    onOpenAttachment(e) {
      const file = this.data.attachments.find(a => a.key === e.currentTarget.dataset.key)
      if (file && file.id) return work.openOfficerAttachment(file).catch(err => showError(err))
      return null
    },

    // ---- privacy consent (utils/privacy.js): before the first photo or file; the panel is
    // components/privacy-consent ----
    showPrivacyConsent() {
      this.setData({ privacyVisible: true })
    },

    onPrivacyDone() {
      this.setData({ privacyVisible: false })
    },
  },
})
