// How the browser tests and the speed measurements start Debian's Chromium: playwright-core never
// downloads a browser here. CHROMIUM overrides the binary.

export const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Flags that work as root in a closed network (see shared/TOOLCHAIN.md): without the
// background-networking ones Chromium keeps trying to reach Google's hosts.
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
