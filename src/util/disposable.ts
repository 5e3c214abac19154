import type * as vscode from 'vscode';

/** Base class that owns disposables registered with `_register` and disposes them once. */
export abstract class Disposable implements vscode.Disposable {
  private readonly _disposables: vscode.Disposable[] = [];
  protected _isDisposed = false;

  /** Registers a disposable to be disposed with this object (or at once if already disposed). */
  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this._isDisposed) d.dispose();
    else this._disposables.push(d);
    return d;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    while (this._disposables.length) {
      try {
        this._disposables.pop()!.dispose();
      } catch (e) {
        console.error('[ei] dispose failed', e);
      }
    }
  }
}
