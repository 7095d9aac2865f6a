import { mountMobile } from "../mobile/mount-mobile";
import ResidentApp from "./ResidentApp";

mountMobile(<ResidentApp />);
