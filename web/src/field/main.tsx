import { mountMobile } from "../mobile/mount-mobile";
import FieldApp from "./FieldApp";

mountMobile(<FieldApp />);
