// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page model of the fake TDX module for KUnit.
 *
 * The fake owns pages the way the PAMT records them.  Pages it still
 * owns when the test ends were leaked by the code under test, as it must
 * leak pages the module owns; the fake frees them then, so that a page
 * freed by both shows up as a double free.
 *
 * The fake also models what the hardware enforces on pages that change
 * hands, and fails the test, naming the page and the leaf, when the code
 * under test breaks it:
 *
 *  - The module does not snoop the kernel's dirty cache lines.  Every
 *    flush goes through tdx_handoff_flush(), which the fake records line
 *    by line with a hash of the line's contents; a page, root page or
 *    queue block handed over must have every line the module reads
 *    flushed since the kernel last wrote it.
 *  - A page the module gives back still has lines in the caches tagged
 *    with the global private KeyID.  It stays "released" until
 *    TDH.PHYMEM.PAGE.WBINVD with that KeyID writes them back.  A page that
 *    the module owns, or a released one, must not reach the page
 *    allocator: a probe on the mm_page_free tracepoint sees every free.
 *  - A root page the module writes a released list to must be cleared
 *    and flushed first (tdx_fake_check_cleared()), so that the kernel
 *    reads only what the module wrote.
 *
 * A test that breaks a rule on purpose sets @expect_violations and checks
 * @nr_violations and @violation instead of failing.
 *
 * The SEAMCALLs that hand pages over are in tdx_fake_module.c.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/cacheflush.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/xarray.h>

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_pages.h"
#include <asm/tdx_handoff.h>

#include "../tdx.h"

/* The state of a page in the PAMT-like map, in bits 7:0 of its entry. */
#define TDX_FAKE_STATE		GENMASK(7, 0)
#define TDX_FAKE_OWNED		0
#define TDX_FAKE_RELEASED	1	/* given back, not yet written back */

#define TDX_FAKE_LINE_SIZE	64
#define TDX_FAKE_LINES		(PAGE_SIZE / TDX_FAKE_LINE_SIZE)

/**
 * struct tdx_fake_lines - the kernel's cache lines of one page, as flushed
 * @rcu: freed after a grace period, the free probe reads it
 * @stale: the page was freed since: nothing flushed before counts
 * @flushed: lines flushed with tdx_handoff_flush(), one bit each
 * @hash: hash of each flushed line's contents at its flush; a line whose
 *	contents changed since was written after its flush
 */
struct tdx_fake_lines {
	struct rcu_head rcu;
	bool stale;
	u64 flushed;
	u32 hash[TDX_FAKE_LINES];
};

static_assert(TDX_FAKE_LINES <= 64);

struct tdx_fake_module *tdx_fake_current;

static const char *tdx_fake_leaf(const struct tdx_fake_module *fake)
{
	return fake->leaf ? tdx_leaf_name(fake->leaf) : "no SEAMCALL";
}

/* Report a broken rule; see the top of the file. */
static __printf(2, 3) void tdx_fake_violation(struct tdx_fake_module *fake,
					      const char *fmt, ...)
{
	char msg[sizeof(fake->violation)];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);

	if (!fake->nr_violations++)
		strscpy(fake->violation, msg);
	if (!fake->expect_violations)
		KUNIT_FAIL(fake->test, "fake TDX module: %s", msg);
}

/**
 * tdx_fake_report_violation() - Report a broken rule, for the fake's extensions
 * @fake: the fake module
 * @fmt: what was broken, printf style
 *
 * As the fake's own checks do: the test fails unless @fake expects
 * violations; either way it is counted in @fake's nr_violations.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_report_violation(struct tdx_fake_module *fake, const char *fmt, ...)
{
	char msg[sizeof(fake->violation)];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	tdx_fake_violation(fake, "%s", msg);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_report_violation);

static u32 tdx_fake_line_hash(const void *line)
{
	const u64 *w = line;
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < TDX_FAKE_LINE_SIZE / sizeof(*w); i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}

/* The stub of tdx_handoff_flush(): flush, and record what was flushed. */
static void tdx_fake_flush(const void *addr, unsigned int size)
{
	struct tdx_fake_module *fake = tdx_fake_current;
	unsigned long va = ALIGN_DOWN((unsigned long)addr, TDX_FAKE_LINE_SIZE);
	unsigned long end = (unsigned long)addr + size;

	clflush_cache_range((void *)addr, size);
	fake->nr_flushes++;

	for (; va < end; va += TDX_FAKE_LINE_SIZE) {
		unsigned long pfn = PHYS_PFN(__pa(va));
		unsigned int line = offset_in_page(va) / TDX_FAKE_LINE_SIZE;
		struct tdx_fake_lines *l = xa_load(&fake->lines, pfn);

		if (!l) {
			l = kzalloc_obj(*l);
			if (!l || xa_err(xa_store(&fake->lines, pfn, l, GFP_KERNEL))) {
				kfree(l);
				tdx_fake_violation(fake, "out of memory recording a flush");
				return;
			}
		}
		if (READ_ONCE(l->stale)) {
			l->flushed = 0;
			WRITE_ONCE(l->stale, false);
		}
		l->flushed |= BIT_ULL(line);
		l->hash[line] = tdx_fake_line_hash((void *)va);
		fake->nr_flushed_lines++;
	}
}

/*
 * Whether every line of [@hpa, @hpa + @size) was flushed since the
 * kernel last wrote it.  Reports the first line that was not.
 */
static bool tdx_fake_flushed(struct tdx_fake_module *fake, const char *what,
			     u64 hpa, u64 size)
{
	u64 pa = ALIGN_DOWN(hpa, TDX_FAKE_LINE_SIZE);

	for (; pa < hpa + size; pa += TDX_FAKE_LINE_SIZE) {
		unsigned int line = offset_in_page(pa) / TDX_FAKE_LINE_SIZE;
		struct tdx_fake_lines *l = xa_load(&fake->lines, PHYS_PFN(pa));

		if (!l || READ_ONCE(l->stale) || !(l->flushed & BIT_ULL(line))) {
			tdx_fake_violation(fake,
					   "%s: %s 0x%llx handed over without a flush of its line at 0x%llx",
					   tdx_fake_leaf(fake), what, hpa, pa);
			return false;
		}
		if (l->hash[line] != tdx_fake_line_hash(__va(pa))) {
			tdx_fake_violation(fake, "%s: %s 0x%llx written at 0x%llx after its flush",
					   tdx_fake_leaf(fake), what, hpa, pa);
			return false;
		}
	}
	return true;
}

/* A page the module gave back has no kernel cache state the fake knows of. */
static void tdx_fake_forget_lines(struct tdx_fake_module *fake, u64 hpa)
{
	struct tdx_fake_lines *l = xa_erase(&fake->lines, PHYS_PFN(hpa));

	if (l)
		kfree_rcu(l, rcu);
}

/* Called for every page the kernel frees while the fake is installed. */
static void tdx_fake_page_freed(void *data, struct page *page, unsigned int order)
{
	struct tdx_fake_module *fake = data;
	unsigned long pfn = page_to_pfn(page), i;

	for (i = 0; i < (1UL << order); i++) {
		void *entry = xa_load(&fake->pamt, pfn + i);
		struct tdx_fake_lines *l;
		unsigned int n;

		if (entry) {
			n = atomic_inc_return(&fake->nr_bad_frees);
			if (n <= TDX_FAKE_MAX_BAD_FREES)
				fake->bad_frees[n - 1] = (pfn + i) << 8 |
					(xa_to_value(entry) & TDX_FAKE_STATE);
		}
		l = xa_load(&fake->lines, pfn + i);
		if (l)
			WRITE_ONCE(l->stale, true);
	}
}

/**
 * tdx_fake_check_frees() - Report pages freed that the fake had not let go
 * @fake: the fake module
 *
 * The free probe runs in any context and only records; this reports, in
 * the test's context.  It runs at every SEAMCALL to the fake, at
 * tdx_fake_owns() and tdx_fake_nr_owned(), and when the test ends.  The
 * pages are dropped from the fake's map: they are back in the allocator.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_check_frees(struct tdx_fake_module *fake)
{
	unsigned int n = atomic_read(&fake->nr_bad_frees), i;

	for (i = fake->nr_bad_frees_seen; i < min(n, TDX_FAKE_MAX_BAD_FREES); i++) {
		u64 pfn = fake->bad_frees[i] >> 8;

		tdx_fake_violation(fake, "page 0x%llx freed while %s", PFN_PHYS(pfn),
				   (fake->bad_frees[i] & TDX_FAKE_STATE) == TDX_FAKE_RELEASED ?
				   "released but not written back" : "the module owns it");
		xa_erase(&fake->pamt, pfn);
	}
	fake->nr_bad_frees_seen = i;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_check_frees);

/**
 * tdx_fake_page_exists() - Whether a physical address is a page of memory
 * @hpa: the physical address
 *
 * Context: Any context.
 * Return: true if @hpa has no bit above 51 set and its page has a
 * struct page.
 */
bool tdx_fake_page_exists(u64 hpa)
{
	return !(hpa & GENMASK_ULL(63, 52)) && pfn_valid(PHYS_PFN(hpa));
}

/**
 * tdx_fake_own() - Record pages as the module's
 * @fake: the fake module
 * @hpa: physical address of the first page
 * @owner: TDX_FAKE_OWNER_*, for reports
 * @order: 2^@order pages
 *
 * Each page must be flushed as a whole: the module may read any of it.
 * A page handed over unflushed is taken all the same, as the hardware
 * would, and the test fails.  The caller checked the pages.
 *
 * Context: Process context, in a KUnit test.
 * Return: TDX_SUCCESS, or TDX_SYS_BUSY if the map is out of memory; then
 * none of the pages is taken.
 */
u64 tdx_fake_own(struct tdx_fake_module *fake, u64 hpa,
		 unsigned int owner, unsigned int order)
{
	void *entry = xa_mk_value((owner << 8) | TDX_FAKE_OWNED);
	unsigned long i;

	tdx_fake_flushed(fake, order ? "block" : "page", hpa, PAGE_SIZE << order);
	for (i = 0; i < (1UL << order); i++) {
		u64 pa = hpa + i * PAGE_SIZE;

		if (xa_err(xa_store(&fake->pamt, PHYS_PFN(pa), entry, GFP_KERNEL))) {
			while (i--)
				xa_erase(&fake->pamt, PHYS_PFN(hpa + i * PAGE_SIZE));
			return TDX_SYS_BUSY;
		}
	}
	return TDX_SUCCESS;
}

/**
 * tdx_fake_disown() - Give pages back to the kernel
 * @fake: the fake module
 * @hpa: physical address of the first page
 * @order: 2^@order pages
 *
 * The pages are released: their lines still need a write-back, and what
 * the kernel flushed before it handed them over counts no more.  Pages
 * the module does not own are skipped.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_disown(struct tdx_fake_module *fake, u64 hpa, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++) {
		unsigned long pfn = PHYS_PFN(hpa) + i;
		void *entry = xa_load(&fake->pamt, pfn);

		if (!entry)
			continue;
		tdx_fake_forget_lines(fake, PFN_PHYS(pfn));
		entry = xa_mk_value((xa_to_value(entry) & ~TDX_FAKE_STATE) | TDX_FAKE_RELEASED);
		xa_store(&fake->pamt, pfn, entry, GFP_KERNEL);
	}
}

static bool tdx_fake_state_is(struct tdx_fake_module *fake, u64 hpa, unsigned int state)
{
	void *entry = xa_load(&fake->pamt, PHYS_PFN(hpa));

	return entry && (xa_to_value(entry) & TDX_FAKE_STATE) == state;
}

/**
 * tdx_fake_page_owned() - Whether the module owns a page, for its leaves
 * @fake: the fake module
 * @hpa: physical address of the page
 *
 * As tdx_fake_owns(), without reporting the pages freed so far: the
 * SEAMCALL that asks did so when it entered the fake.
 *
 * Context: Process context, in a KUnit test.
 * Return: true if the page was handed over and not given back.
 */
bool tdx_fake_page_owned(struct tdx_fake_module *fake, u64 hpa)
{
	return tdx_fake_state_is(fake, hpa, TDX_FAKE_OWNED);
}

/**
 * tdx_fake_page_released() - Whether a page waits for its write-back, for the leaves
 * @fake: the fake module
 * @hpa: physical address of the page
 *
 * As tdx_fake_released(), without reporting the pages freed so far.
 *
 * Context: Process context, in a KUnit test.
 * Return: true if the module gave the page back and no
 * TDH.PHYMEM.PAGE.WBINVD with the global KeyID followed.
 */
bool tdx_fake_page_released(struct tdx_fake_module *fake, u64 hpa)
{
	return tdx_fake_state_is(fake, hpa, TDX_FAKE_RELEASED);
}

/*
 * Free what the code under test leaked; see the top of the file.  Pages
 * are freed one by one: the code under test hands over only order-0 pages
 * and split blocks.  If more pages were freed behind the fake's back than
 * it could record, it cannot tell which it would free twice, and frees
 * none.
 */
static void tdx_fake_free_owned(struct tdx_fake_module *fake)
{
	struct tdx_fake_lines *l;
	unsigned long pfn;
	void *entry;

	tdx_fake_check_frees(fake);
	if (atomic_read(&fake->nr_bad_frees) > TDX_FAKE_MAX_BAD_FREES)
		tdx_fake_violation(fake,
				   "%d pages freed that the module had not let go; leaking the rest",
				   atomic_read(&fake->nr_bad_frees));
	else
		xa_for_each(&fake->pamt, pfn, entry) {
			xa_erase(&fake->pamt, pfn);
			__free_page(pfn_to_page(pfn));
		}
	xa_destroy(&fake->pamt);

	xa_for_each(&fake->lines, pfn, l)
		kfree_rcu(l, rcu);
	xa_destroy(&fake->lines);
}

static void tdx_fake_find_page_free(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "mm_page_free"))
		*(struct tracepoint **)priv = tp;
}

static void tdx_fake_pages_init(struct tdx_fake_module *fake, struct kunit *test,
				struct tracepoint *page_free)
{
	memset(fake, 0, sizeof(*fake));
	fake->test = test;
	fake->page_free = page_free;
	fake->global_keyid = TDX_FAKE_GLOBAL_KEYID;
	xa_init(&fake->pamt);
	xa_init(&fake->lines);
}

static void tdx_fake_pages_remove(void *data)
{
	struct tdx_fake_module *fake = data;

	tracepoint_probe_unregister(fake->page_free, tdx_fake_page_freed, fake);
	tracepoint_synchronize_unregister();
	tdx_fake_free_owned(fake);
	tdx_fake_current = NULL;
}

static u16 tdx_fake_global_keyid(void)
{
	return tdx_fake_current->global_keyid;
}

/**
 * tdx_fake_pages_install() - Create a fake TDX module with its page model
 * @test: the test; the fake goes away when it ends
 *
 * The first half of tdx_fake_module_install(): the fake is all zero but
 * for the page model's defaults, sees every page the kernel frees, and
 * takes over tdx_handoff_flush(), to record flushes, and
 * tdx_get_global_keyid(), so that the global KeyID is
 * TDX_FAKE_GLOBAL_KEYID and not 0.  No SEAMCALL reaches it yet.
 *
 * Context: Process context, in a KUnit test.
 * Return: the fake; a failure to create it fails the test.
 */
struct tdx_fake_module *tdx_fake_pages_install(struct kunit *test)
{
	struct tracepoint *page_free = NULL;
	struct tdx_fake_module *fake;

	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	KUNIT_ASSERT_NULL(test, tdx_fake_current);

	for_each_kernel_tracepoint(tdx_fake_find_page_free, &page_free);
	KUNIT_ASSERT_NOT_NULL_MSG(test, page_free, "no mm_page_free tracepoint");
	tdx_fake_pages_init(fake, test, page_free);
	KUNIT_ASSERT_EQ(test, tracepoint_probe_register(page_free, tdx_fake_page_freed, fake), 0);

	tdx_fake_current = fake;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tdx_fake_pages_remove, fake), 0);
	kunit_activate_static_stub(test, tdx_handoff_flush, tdx_fake_flush);
	kunit_activate_static_stub(test, tdx_get_global_keyid, tdx_fake_global_keyid);
	return fake;
}

/**
 * tdx_fake_pages_reset() - Start the fake TDX module's page model over
 * @fake: the fake module
 *
 * The first half of tdx_fake_module_reset(): pages the fake owns are
 * freed as leaked and the whole fake is zero again but for the page
 * model's defaults.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_pages_reset(struct tdx_fake_module *fake)
{
	tdx_fake_free_owned(fake);
	tdx_fake_pages_init(fake, fake->test, fake->page_free);
}

/**
 * tdx_fake_owns() - Whether the fake module owns a page
 * @fake: the fake module
 * @hpa: physical address of the page, or of the first page of a block
 *
 * Context: Process context, in a KUnit test.
 * Return: true if the page was handed over and not given back.
 */
bool tdx_fake_owns(struct tdx_fake_module *fake, u64 hpa)
{
	tdx_fake_check_frees(fake);
	return tdx_fake_state_is(fake, hpa, TDX_FAKE_OWNED);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_owns);

/**
 * tdx_fake_released() - Whether a page waits for its write-back
 * @fake: the fake module
 * @hpa: physical address of the page
 *
 * Context: Process context, in a KUnit test.
 * Return: true if the module gave the page back and no
 * TDH.PHYMEM.PAGE.WBINVD with the global KeyID followed.
 */
bool tdx_fake_released(struct tdx_fake_module *fake, u64 hpa)
{
	tdx_fake_check_frees(fake);
	return tdx_fake_state_is(fake, hpa, TDX_FAKE_RELEASED);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_released);

/**
 * tdx_fake_check_flushed() - Check a range the module is about to read
 * @fake: the fake module
 * @what: what the range is, for the report
 * @hpa: physical address of the range
 * @size: its size in bytes
 *
 * For other_leaf handlers: every cache line of the range must have been
 * flushed with tdx_handoff_flush() since the kernel last wrote it.
 *
 * Context: Process context, in a KUnit test.
 * Return: true if so; otherwise the violation is reported.
 */
bool tdx_fake_check_flushed(struct tdx_fake_module *fake, const char *what,
			    u64 hpa, u64 size)
{
	return tdx_fake_flushed(fake, what, hpa, size);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_check_flushed);

/**
 * tdx_fake_check_cleared() - Check a root page the module will write to
 * @fake: the fake module
 * @hpa: physical address of the root page
 *
 * A DELETE leaf writes the released pages to a root page.  The kernel
 * must have cleared and flushed all of it first: entries it left there
 * could be taken for entries the module wrote, and a dirty line written
 * back later would overwrite them.
 *
 * Context: Process context, in a KUnit test.
 * Return: true if the page is zero and flushed; otherwise the violation
 * is reported.
 */
bool tdx_fake_check_cleared(struct tdx_fake_module *fake, u64 hpa)
{
	if (!tdx_fake_flushed(fake, "released-list root page", hpa, PAGE_SIZE))
		return false;
	if (memchr_inv(__va(hpa), 0, PAGE_SIZE)) {
		tdx_fake_violation(fake, "%s: root page 0x%llx not cleared for the released list",
				   tdx_fake_leaf(fake), hpa);
		return false;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_check_cleared);

/**
 * tdx_fake_nr_owned() - Number of pages the fake module has not let go
 * @fake: the fake module
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of pages the module owns or released without a
 * write-back since: the entries of the PAMT-like map.
 */
unsigned long tdx_fake_nr_owned(struct tdx_fake_module *fake)
{
	unsigned long pfn, nr = 0;
	void *entry;

	tdx_fake_check_frees(fake);
	xa_for_each(&fake->pamt, pfn, entry)
		nr++;
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_nr_owned);
