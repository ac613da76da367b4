import { registerDurable } from "../lib/azure-host/register.js";

registerDurable();
