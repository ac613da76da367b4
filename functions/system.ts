import { registerHttpArea } from "../lib/azure-host/register.js";

registerHttpArea("system");
