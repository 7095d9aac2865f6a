import { mountMobile } from "../mobile/mount-mobile";
import FieldApp from "./FieldApp";
import { registerServiceWorker } from "./register-sw";
import { BASE } from "./router";

// The service worker's scope is /field/: the app's home is that URL, so a reload offline finds it.
if (window.location.pathname === BASE) window.history.replaceState(null, "", `${BASE}/${window.location.search}`);
registerServiceWorker();
mountMobile(<FieldApp />);
