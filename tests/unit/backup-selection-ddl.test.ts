import { quoteIdent, withoutForeignKeysAndTriggers } from '../../activities/gencharge-backup.js';

const POST_DATA = `--
-- PostgreSQL database dump
--

SET statement_timeout = 0;

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users_email_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_email_index ON public.users USING btree (email);


--
-- Name: journal_lines journal_lines_immutable; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER journal_lines_immutable BEFORE DELETE OR UPDATE ON public.journal_lines FOR EACH ROW EXECUTE FUNCTION public.journal_refuse_change();


--
-- Name: users users_tenant_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_tenant_fk FOREIGN KEY (tenant) REFERENCES public.tenants(slug);


--
-- PostgreSQL database dump complete
--

\\unrestrict abc123
`;

describe("a selection backup's DDL", () => {
  it('when the post-data section is filtered, then keys and indexes stay and foreign keys and triggers go', () => {
    const kept = withoutForeignKeysAndTriggers(POST_DATA);
    expect(kept).toContain('ADD CONSTRAINT users_pkey PRIMARY KEY (id);');
    expect(kept).toContain('CREATE INDEX users_email_index');
    expect(kept).toContain('SET statement_timeout = 0;');
    expect(kept).toContain('-- PostgreSQL database dump complete');
    expect(kept).toContain('\\unrestrict abc123');
    expect(kept).not.toContain('FOREIGN KEY');
    expect(kept).not.toContain('CREATE TRIGGER');
  });

  it('when a name is quoted, then a double quote in it cannot end the identifier', () => {
    expect(quoteIdent('users')).toBe('"users"');
    expect(quoteIdent('a"; drop table users; --')).toBe('"a""; drop table users; --"');
  });
});
