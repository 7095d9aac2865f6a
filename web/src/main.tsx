import { startEarlyReads } from "./console/map/early-reads";
import { showEntryFailure } from "./entry-failure";
import { askSessionEarly } from "./session-early";

// The console's entry holds no React: it reads the session and starts the page's longest reads
// (the map's) at once, while the app's code, most of the first load, is still on its way.
const session = askSessionEarly();
startEarlyReads(session);

void import("./mount").catch(showEntryFailure);
// No one signed in: the sign-in page's chunk is asked for beside the app's.
void session
  .then(async (me) => {
    if (me === null) await import("./pages/LoginPage");
  })
  .catch(() => undefined);
