// Lighthouse's tablet profile for `.ci/bench` (issue 13): the iPad-sized touch screen the
// Playwright tablet project uses (810 x 1080, 2x pixels), with Lighthouse's own mobile
// throttling (simulated slow 4G, CPU 4x slower than this machine): a tablet on a poor
// connection, the hard case. Performance and accessibility only.
export default {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['performance', 'accessibility'],
    formFactor: 'mobile',
    screenEmulation: {
      mobile: true,
      width: 810,
      height: 1080,
      deviceScaleFactor: 2,
      disabled: false,
    },
    throttlingMethod: 'simulate',
    throttling: {
      rttMs: 150,
      throughputKbps: 1638.4,
      requestLatencyMs: 150 * 3.75,
      downloadThroughputKbps: 1638.4 * 0.9,
      uploadThroughputKbps: 675 * 0.9,
      cpuSlowdownMultiplier: 4,
    },
  },
};
