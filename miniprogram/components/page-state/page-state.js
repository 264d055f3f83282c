// What a page shows instead of its content: 正在加载…, the error with a large 重试 button, or the
// empty text. Driven by the `view` of behaviors/page-load.js; 重试 triggers `retry`.
Component({
  options: {
    styleIsolation: 'apply-shared', // app.wxss's .btn / .hint / .error-text apply here too
  },
  properties: {
    view: { type: Object, value: { loading: true, error: '', empty: false } },
    emptyText: { type: String, value: '这里还没有内容。' },
    loadingText: { type: String, value: '正在加载…' },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry')
    },
  },
})
