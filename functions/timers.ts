import { registerTimers } from "../lib/azure-host/register.js";

registerTimers();
