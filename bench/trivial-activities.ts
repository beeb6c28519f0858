/** The activity of the baseline flow: it does no work, so the flow measures Temporal alone. */
export function createTrivialActivities() {
  return {
    async noop(reference: string): Promise<string> {
      return reference;
    },
  };
}

export type TrivialActivities = ReturnType<typeof createTrivialActivities>;
