import { startEarlyReads } from "./console/map/early-reads";
import { askSessionEarly } from "./session-early";

// The console's entry holds no React: it reads the session and starts the page's longest reads
// (the map's) at once, while the app's code, most of the first load, is still on its way.
startEarlyReads(askSessionEarly());

void import("./mount");
