// After each test: an answer a test gave that the API would never send (helpers.installWx checks
// every one against the OpenAPI document) fails that test, even when the page swallowed the error.
afterEach(() => {
  const bad = global.__badFixtureAnswers || []
  global.__badFixtureAnswers = []
  if (bad.length) throw bad[0]
})
