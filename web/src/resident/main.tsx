import { mount } from "../mount";
import ResidentApp from "./ResidentApp";

mount(<ResidentApp />);
