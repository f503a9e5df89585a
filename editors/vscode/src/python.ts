/**
 * Access to the Python extension's public environments API
 * (`ms-python.python`). Every call is guarded: a missing, old, slow or
 * failing Python extension only means "no interpreter from there".
 */

import * as vscode from 'vscode';
import { PYTHON_EXTENSION_ID, PythonExtensionInterpreter, withTimeout } from './logic';

/** The parts of the Python extension's environments API used here. */
interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

interface ResolvedEnvironment {
  readonly executable?: { readonly uri?: vscode.Uri };
}

interface EnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
  resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
  readonly onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
}

const ACTIVATE_TIMEOUT_MS = 15_000;
const RESOLVE_TIMEOUT_MS = 10_000;

function asEnvironmentsApi(exports: unknown): EnvironmentsApi | undefined {
  if (typeof exports !== 'object' || exports === null) {
    return undefined;
  }
  const environments = (exports as { environments?: unknown }).environments;
  if (typeof environments !== 'object' || environments === null) {
    return undefined;
  }
  const api = environments as Partial<EnvironmentsApi>;
  if (typeof api.getActiveEnvironmentPath !== 'function' || typeof api.resolveEnvironment !== 'function') {
    return undefined;
  }
  return api as EnvironmentsApi;
}

/** Whether the Python extension is installed (enabled) at all. */
export function pythonExtensionInstalled(): boolean {
  return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
}

/** The environments API, activating the Python extension if needed; undefined on any failure. */
export async function environmentsApi(log: (message: string) => void): Promise<EnvironmentsApi | undefined> {
  try {
    const extension = vscode.extensions.getExtension(PYTHON_EXTENSION_ID);
    if (extension === undefined) {
      return undefined;
    }
    const exports: unknown = extension.isActive
      ? extension.exports
      : await withTimeout(Promise.resolve(extension.activate()), ACTIVATE_TIMEOUT_MS, undefined);
    const api = asEnvironmentsApi(exports);
    if (api === undefined) {
      log(`The Python extension did not provide its environments API; ignoring it.`);
    }
    return api;
  } catch (error) {
    log(`Could not use the Python extension: ${String(error)}`);
    return undefined;
  }
}

/** The Python extension's active interpreter for a resource, if it can tell. */
export async function activeInterpreter(
  resource: vscode.Uri | undefined,
  log: (message: string) => void,
): Promise<PythonExtensionInterpreter | undefined> {
  const api = await environmentsApi(log);
  if (api === undefined) {
    return undefined;
  }
  try {
    const environmentPath = api.getActiveEnvironmentPath(resource);
    let executable: string | undefined;
    try {
      const resolved = await withTimeout(api.resolveEnvironment(environmentPath), RESOLVE_TIMEOUT_MS, undefined);
      executable = resolved?.executable?.uri?.fsPath;
    } catch (error) {
      log(`The Python extension could not resolve "${environmentPath.path}": ${String(error)}`);
    }
    return { executable, environmentPath: environmentPath.path };
  } catch (error) {
    log(`The Python extension did not report an active interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Subscribes to active-interpreter changes; returns undefined when the API has no such event. */
export async function onActiveInterpreterChanged(
  listener: () => void,
  log: (message: string) => void,
): Promise<vscode.Disposable | undefined> {
  const api = await environmentsApi(log);
  const event = api?.onDidChangeActiveEnvironmentPath;
  if (typeof event !== 'function') {
    return undefined;
  }
  try {
    return event(() => listener());
  } catch (error) {
    log(`Could not watch the Python extension's interpreter: ${String(error)}`);
    return undefined;
  }
}
