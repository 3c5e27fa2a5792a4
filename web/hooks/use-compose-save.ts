/**
 * The open composer's copy in Drafts: its fields and the editor's body autosaved a moment after
 * each change (use-compose-draft), the draft frozen as it was when the composer leaves the screen
 * (the editor is gone after), and `done` once the message was sent, discarded or left, after
 * which nothing more is saved or uploaded.
 */
import { type RefObject, useEffect, useRef } from "react";
import type { EditorHandle } from "@/components/compose/rich-editor";
import { useDraftAutosave } from "@/hooks/use-compose-draft";
import type { BuiltDraft, ComposeFieldsState } from "@/hooks/use-compose-fields";
import type { ComposerInit } from "@/hooks/use-compose-prefill";

/** How the composer finished: its message sent, discarded, or it left the screen. */
export type ComposerDone = null | "sent" | "discarded" | "left";

export function useComposeSave(
  init: ComposerInit,
  fields: ComposeFieldsState,
  editor: RefObject<EditorHandle | null>,
) {
  const done = useRef<ComposerDone>(null);
  const frozen = useRef<BuiltDraft | null>(null);
  const build = () => fields.build(editor.current);

  const autosave = useDraftAutosave({
    build: () => {
      if (frozen.current) return frozen.current;
      const built = build();
      // Without the editor (unmounted) the body is unknown: never overwrite a saved draft with it.
      return built.hasEditor ? built : null;
    },
    initialUid: init.draftUid,
    initialMailbox: init.draftMailbox,
    initialLocalId: init.localId,
  });

  useEffect(() => {
    if (init.saveNow) autosave.saveSoon();
    // once
  }, []);

  return {
    ...autosave,
    done,
    /** The draft as the fields and the editor hold it now. */
    build,
    /** From now on saves carry `built`, whatever the fields say. */
    freeze(built: BuiltDraft) {
      frozen.current = built;
    },
  };
}

export type ComposeSave = ReturnType<typeof useComposeSave>;
